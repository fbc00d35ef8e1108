#include "train/evaluator.hpp"

#include <torch/torch.h>

namespace spe::train {

std::vector<double> position_losses(TrainableLM& model, const TokenSeq& song, const EvalOptions& options) {
  const std::size_t n = std::min(song.size(), options.max_position + 1);
  if (n < 2) return {};
  torch::NoGradGuard no_grad;
  model.module->eval();
  const torch::Device device(options.device);
  auto all = torch::from_blob(const_cast<std::int32_t*>(song.data()), {1, static_cast<std::int64_t>(n)}, torch::kInt32)
                 .to(torch::kInt64)
                 .to(device);
  auto inputs = all.slice(1, 0, static_cast<std::int64_t>(n) - 1);
  auto targets = all.slice(1, 1, static_cast<std::int64_t>(n));
  const NoiseSeeds seeds{derive_seed(options.seed, 0xE7A1, 1), derive_seed(options.seed, 0xE7A1, 2)};
  auto logits = model.logits(inputs, seeds).to(torch::kFloat64);
  auto nll = -torch::log_softmax(logits, -1).gather(-1, targets.unsqueeze(-1)).squeeze(-1).squeeze(0).cpu();
  return std::vector<double>(nll.data_ptr<double>(), nll.data_ptr<double>() + nll.numel());
}

PositionLossAccumulator evaluate_positions(TrainableLM& model, const std::vector<const TokenSeq*>& songs,
                                           const EvalOptions& options) {
  PositionLossAccumulator acc;
  for (std::size_t i = 0; i < songs.size(); ++i) {
    acc.add_song(position_losses(model, *songs[i], options));
    if (options.on_progress) options.on_progress(i + 1, songs.size());
  }
  return acc;
}

}  // namespace spe::train
