#pragma once
// Finding MIDI files in a folder: shared by corpus loading (spe train / eval), the style evaluation and
// the tests that walk real corpora.

#include <filesystem>
#include <vector>

namespace spe::midi {

// .mid/.midi (any case) below `dir`, recursively (following folder links), sorted.
// Throws std::runtime_error "<dir>: not a folder" if `dir` is not a folder.
std::vector<std::filesystem::path> list_midi_files(const std::filesystem::path& dir);

}  // namespace spe::midi
