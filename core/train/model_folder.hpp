#pragma once
// PerformerLM ⇄ trainer/evaluator and model folders: building a model for a tokenizer, wrapping it as a
// TrainableLM, describing it in checkpoint metadata, and loading a trained model folder back.

#include <filesystem>
#include <memory>
#include <string>

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

struct LoadedModel {
  std::shared_ptr<model::PerformerLM> model;
  std::unique_ptr<tokens::Tokenizer> tokenizer;
  io::CheckpointMeta meta;
  model::ModelConfig config;
};

// Loads a model folder (model.safetensors + model.json) onto `device`; errors name the folder.
LoadedModel load_model_folder(const std::filesystem::path& dir, const std::string& device = "cpu");

}  // namespace spe::train
