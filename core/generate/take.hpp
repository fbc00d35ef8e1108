#pragma once
// From MIDI to a prompt and from finished candidates to takes: decoding, marking the prompt's notes,
// the recipe (model id + weights hash, params, seed) and writing MIDI (+ optional sidecar JSON).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "generate/model.hpp"
#include "generate/params.hpp"
#include "generate/session.hpp"
#include "music/recipe_midi.hpp"
#include "music/score.hpp"
#include "tokens/tokenizer.hpp"

namespace spe::generate {

struct Prompt {
  std::vector<int> tokens;
  int bars = 0;                 // bars of music in the prompt (0 from scratch)
  std::string source;           // file name, or "scratch"
  std::vector<std::string> report;  // what encoding had to change (snapped values, dropped tracks …)
};

// The first `bars` bars (-1: all) of `score`, encoded with `tokenizer`, ready to be continued: the
// end-of-sequence token is removed and a REMI prompt ends with the Bar token that opens the next bar.
// Throws std::invalid_argument (naming `source`) when the score holds no encodable note.
Prompt prompt_from_score(const tokens::Tokenizer& tokenizer, const music::Score& score, int bars,
                         const std::string& source);
// Reads `path` (errors name the file) and calls prompt_from_score.
Prompt prompt_from_midi(const tokens::Tokenizer& tokenizer, const std::filesystem::path& path, int bars);
Prompt prompt_from_scratch(const TokenScheme& scheme);

struct Take {
  int candidate = 0;
  int sampler_index = 0;
  std::uint64_t sampler_seed = 0;
  StopReason stop = StopReason::Length;
  std::vector<int> tokens;           // as generated (prompt included)
  std::size_t prompt_length = 0;
  std::vector<std::int64_t> invalid_positions;  // skipped when decoding (grammar off only)
  std::vector<float> entropy, log_prob;
  music::Score score;                // decoded; prompt notes have from_prompt = true
  std::vector<std::string> decode_report;  // empty when the sequence decoded without repair
};

Take make_take(const tokens::Tokenizer& tokenizer, const CandidateTrace& trace, int candidate);

// The recipe that reproduces a take: the model's id, the params and seed, the prompt, and the weights
// its step multiplied ("step_weights": f32 | bf16, when the fused CPU step made it).
nlohmann::json take_recipe(const Model& model, const GenerationParams& params, const Prompt& prompt,
                           const Take& take);
// Full per-take record for `--sidecar`: recipe + tokens + per-token entropy / log-probability + reports.
nlohmann::json take_sidecar(const tokens::Tokenizer& tokenizer, const nlohmann::json& recipe, const Take& take);

using music::kRecipeTextPrefix;
// Writes the take's score as MIDI (atomically) with the recipe as a text meta event at tick 0 of the first
// track: "spe-studio recipe {json}".
void write_take_midi(const Take& take, const nlohmann::json& recipe, const std::filesystem::path& path);
// Reads back the recipe written by write_take_midi (nullopt-like: empty object when there is none).
nlohmann::json read_recipe(const std::filesystem::path& midi_path);

// OUT.mid for one take; OUT-1.mid … OUT-C.mid for several (1-based, in candidate order).
std::filesystem::path take_output_path(const std::filesystem::path& out, int candidate, int candidates);

}  // namespace spe::generate
