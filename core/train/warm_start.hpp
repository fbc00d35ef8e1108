#pragma once
// Warm start (`spe train --init-from DIR`): a new run begins from the weights of an existing model folder
// (typically a bundled model) with a fresh optimiser and schedule. The folder must describe the same
// network and the same vocabulary as the run; settings that hold no weights (training length, dropout,
// APE table length, convSPE algorithm) may differ. No torch in this header.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "io/checkpoint.hpp"

namespace spe::model {
class PerformerLM;
}

namespace spe::train {

// Throws std::runtime_error "<dir>/model.json: cannot warm-start: <what differs>" when the architecture
// or the tokenizer of `init` differs from `run` in anything that shapes or interprets the weights.
void check_warm_start_compatible(const io::CheckpointMeta& init, const io::CheckpointMeta& run,
                                 const std::filesystem::path& dir);

// Checks compatibility, copies every weight of the folder into `model` (converted to its dtype; names and
// shapes must match exactly) and returns the training-history entries for the new run: the folder's own
// history followed by one entry describing the folder (name, steps, metrics, weights SHA-256, date).
nlohmann::json warm_start(model::PerformerLM& model, const io::CheckpointMeta& run, const std::filesystem::path& dir);

}  // namespace spe::train
