#pragma once
// PerformerLM ⇄ trainer/evaluator and model folders: wrapping a model as a TrainableLM and describing it
// in checkpoint metadata. Loading a trained model folder back: model_folder/model_folder.hpp.

#include <memory>

#include "io/checkpoint.hpp"
#include "model/config.hpp"
#include "tokens/tokenizer.hpp"
#include "train/trainable_model.hpp"

namespace spe::model {
class PerformerLM;
}

namespace spe::train {

TrainableLM trainable(std::shared_ptr<model::PerformerLM> model);

// Metadata of a model about to be trained: architecture, positional-encoding summary, tokenizer
// (config + vocabulary), training length.
io::CheckpointMeta describe_model(const model::ModelConfig& config, const tokens::Tokenizer& tokenizer);

}  // namespace spe::train
