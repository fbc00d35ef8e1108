#include "train/model_folder.hpp"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "model/noise_context.hpp"
#include "model/performer.hpp"

namespace spe::train {

TrainableLM trainable(std::shared_ptr<model::PerformerLM> m) {
  TrainableLM lm;
  lm.module = m;
  lm.vocab_size = m->config().vocab_size;
  lm.logits = [m](const at::Tensor& tokens, const NoiseSeeds& seeds) {
    return m->forward(tokens, model::NoiseContext(seeds.code, seeds.features));
  };
  lm.fixed_noise_logits = [m](const NoiseSeeds& seeds, std::int64_t length) {
    const model::NoiseContext noise(seeds.code, seeds.features);
    auto prepared = std::make_shared<const model::ForwardNoise>(m->prepare_noise(length, noise));
    return std::function<at::Tensor(const at::Tensor&)>([m, noise, prepared](const at::Tensor& tokens) {
      return m->forward(tokens, noise, nullptr, prepared.get());
    });
  };
  return lm;
}

io::CheckpointMeta describe_model(const model::ModelConfig& config, const tokens::Tokenizer& tokenizer) {
  io::CheckpointMeta meta;
  meta.architecture = model::to_json(config);
  nlohmann::json pe = {{"kind", model::to_string(config.pe)}};
  if (config.uses_spe()) {
    pe["gated"] = config.spe.gated;
    pe["realizations"] = config.spe.realizations;
    pe["share_pe"] = config.spe.share_pe;
    if (config.pe == model::PositionalKind::sine_spe) pe["num_sines"] = config.spe.num_sines;
    if (config.pe == model::PositionalKind::conv_spe) pe["kernel_size"] = config.spe.kernel_size;
  }
  meta.positional_encoding = pe;
  meta.tokenizer = tokenizer.to_json();
  meta.training_length = config.train_len;
  return meta;
}

}  // namespace spe::train
