#include "model_folder/model_folder.hpp"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

#include "io/module_loading.hpp"
#include "model/performer.hpp"

namespace spe::model_folder {

LoadedModel load(const std::filesystem::path& dir, const LoadOptions& options) {
  io::Checkpoint checkpoint = io::load_checkpoint(dir);  // validates JSON, hashes and every byte range
  const std::string meta_file = (dir / io::kMetaFileName).string();
  LoadedModel out;
  try {
    out.config = model::model_config_from_json(checkpoint.meta.architecture);
    out.config.validate();
  } catch (const std::exception& e) {
    throw std::runtime_error(meta_file + ": bad architecture: " + e.what());
  }
  if (options.load_tokenizer) {
    try {
      out.tokenizer = tokens::make_tokenizer(checkpoint.meta.tokenizer);
    } catch (const std::exception& e) {
      throw std::runtime_error(meta_file + ": bad tokenizer: " + e.what());
    }
    if (static_cast<std::size_t>(out.config.vocab_size) != out.tokenizer->vocab().size())
      throw std::runtime_error(meta_file + ": the model has " + std::to_string(out.config.vocab_size) +
                               " outputs but its tokenizer has " +
                               std::to_string(out.tokenizer->vocab().size()) + " tokens");
  }
  out.model = std::make_shared<model::PerformerLM>(out.config, model::PerformerLM::WeightsToFollow{});
  io::load_into_module(*out.model, checkpoint.tensors, {}, (dir / io::kWeightsFileName).string());
  out.model->eval();
  out.model->to(options.device);
  out.meta = std::move(checkpoint.meta);
  out.weights = std::move(checkpoint.weights);
  return out;
}

}  // namespace spe::model_folder
