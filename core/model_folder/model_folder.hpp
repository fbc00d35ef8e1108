#pragma once
// The one loader of model folders (model.json + model.safetensors, see io/checkpoint.hpp): rebuilds the
// PerformerLM from model.json's architecture, loads every weight into it (names and shapes must match
// exactly) and rebuilds the tokenizer it was trained with. Used by generation (generate::Model), evaluation
// (`spe eval`) and `spe kernels`. No <torch/...> in this header.

#include <filesystem>
#include <memory>

#include "io/checkpoint.hpp"
#include "model/config.hpp"
#include "tokens/tokenizer.hpp"

namespace spe::model {
class PerformerLM;
}

namespace spe::model_folder {

struct LoadOptions {
  c10::Device device = c10::Device(c10::DeviceType::CPU);  // where the weights end up
  // false: model.json's tokenizer is ignored (it may be absent, as in folders written for `spe kernels`);
  // LoadedModel::tokenizer is then null and the vocabulary size is not checked against it.
  bool load_tokenizer = true;
};

struct LoadedModel {
  std::shared_ptr<model::PerformerLM> model;     // in eval mode, on LoadOptions::device
  std::unique_ptr<tokens::Tokenizer> tokenizer;  // null when !LoadOptions::load_tokenizer
  model::ModelConfig config;                     // model.json's architecture
  io::CheckpointMeta meta;
  io::WeightsInfo weights;
};

// Loads and validates the folder `dir`. Throws (io::FormatError or std::runtime_error) with one line
// naming the file and the problem:
//   whatever io::load_checkpoint reports (missing folder or file, bad JSON, SHA-256 mismatch, ...),
//   "<dir>/model.json: bad architecture: <why>",
//   "<dir>/model.json: bad tokenizer: <why>",
//   "<dir>/model.json: the model has N outputs but its tokenizer has M tokens",
//   "<dir>/model.safetensors: checkpoint does not match the model: <missing / unexpected / shapes>".
LoadedModel load(const std::filesystem::path& dir, const LoadOptions& options = {});

}  // namespace spe::model_folder
