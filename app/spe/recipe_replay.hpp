#pragma once
// Reproducing a take from the recipe inside its MIDI file (written by `spe generate` or spe-studio): shared by
// `spe generate --recipe` (writes the take again) and `spe attention` (needs the take's exact tokens and
// model seed). Errors are UsageError with one line naming the take's file.

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "generate/model.hpp"
#include "generate/params.hpp"
#include "generate/take.hpp"

namespace spe::cli {

// The recipe of the take in `take_path`; throws UsageError when it has none or it is not valid JSON.
nlohmann::json read_take_recipe(const std::string& take_path);

// Loads the recipe's model (`model_override`, a name or folder, if not empty; else the recipe's model name,
// resolved through model_roots()) on `device` and checks that its weights are the ones the take was made
// with. `where` names the take in messages.
std::shared_ptr<const generate::Model> load_recipe_model(const nlohmann::json& recipe, const std::string& model_override,
                                                         const std::string& device, const std::string& where);

// The take a recipe describes, re-run (recursively for re-rolls: the parent first, then its rewind or
// its first bars as the prompt), with the prompt and params that made it and the model seed of the
// session that generated it (GenerationSession::model_seed(): the noise its attention saw).
struct Reproduced {
  generate::Take take;
  generate::Prompt prompt;
  generate::GenerationParams params;
  std::uint64_t model_seed = 0;
};

// `prompt_override` (if not empty) replaces the recipe's prompt file.
Reproduced reproduce(const nlohmann::json& recipe, const generate::Model& model, const std::string& prompt_override,
                     const std::string& where);

}  // namespace spe::cli
