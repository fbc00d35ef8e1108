#pragma once
// A take's recipe travels inside its MIDI file: a text meta event "spe-studio recipe {json}" at tick 0 of
// the first track. Torch-free, so the GUI, the CLI and tests write and read it the same way.

#include <filesystem>
#include <string>

#include "music/score.hpp"

namespace spe::music {

inline constexpr const char* kRecipeTextPrefix = "spe-studio recipe ";

// Writes `score` as MIDI (atomically) with `recipe_json` (JSON text; empty: none) as the recipe event.
void write_score_with_recipe(const Score& score, const std::string& recipe_json, const std::filesystem::path& path);
// The recipe JSON text of a file written by write_score_with_recipe; empty when it has none. Errors name the file.
std::string read_recipe_text(const std::filesystem::path& path);

}  // namespace spe::music
