#include "train/evaluator.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

#include <torch/torch.h>

namespace spe::train {

namespace {

using LogitsFn = std::function<at::Tensor(const at::Tensor& tokens)>;

std::size_t evaluated_tokens(const TokenSeq& song, const EvalOptions& options) {
  return std::min(song.size(), options.max_position + 1);
}

NoiseSeeds eval_seeds(const EvalOptions& options) {
  return {derive_seed(options.seed, 0xE7A1, 1), derive_seed(options.seed, 0xE7A1, 2)};
}

std::vector<std::vector<double>> batch_losses(TrainableLM& model, const LogitsFn* fixed,
                                              const std::vector<const TokenSeq*>& songs,
                                              const EvalOptions& options) {
  std::vector<std::vector<double>> losses(songs.size());
  std::vector<std::size_t> rows;  // songs with at least one target
  std::size_t longest = 0;
  for (std::size_t i = 0; i < songs.size(); ++i) {
    const std::size_t n = evaluated_tokens(*songs[i], options);
    if (n < 2) continue;
    rows.push_back(i);
    longest = std::max(longest, n);
  }
  if (rows.empty()) return losses;
  torch::NoGradGuard no_grad;
  model.module->eval();
  const torch::Device device(options.device);
  const auto b = static_cast<std::int64_t>(rows.size());
  const auto len = static_cast<std::int64_t>(longest);
  // Shorter songs are padded on the right with token 0: the model is causal, so the padding changes no
  // logit of a real position, and those of the padded positions are dropped.
  torch::Tensor all = torch::zeros({b, len}, torch::kInt64);
  auto* ids = all.data_ptr<std::int64_t>();
  for (std::int64_t row = 0; row < b; ++row) {
    const TokenSeq& song = *songs[rows[static_cast<std::size_t>(row)]];
    const std::size_t n = evaluated_tokens(song, options);
    std::copy(song.begin(), song.begin() + static_cast<std::ptrdiff_t>(n), ids + row * len);
  }
  all = all.to(device);
  auto inputs = all.narrow(1, 0, len - 1);
  auto targets = all.narrow(1, 1, len - 1);
  const NoiseSeeds seeds = eval_seeds(options);
  auto logits = (fixed ? (*fixed)(inputs) : model.logits(inputs, seeds)).to(torch::kFloat64);
  auto nll =
      (-torch::log_softmax(logits, -1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)).cpu().contiguous();
  const double* values = nll.data_ptr<double>();
  for (std::int64_t row = 0; row < b; ++row) {
    const std::size_t i = rows[static_cast<std::size_t>(row)];
    const std::size_t n = evaluated_tokens(*songs[i], options);
    losses[i].assign(values + row * (len - 1), values + row * (len - 1) + static_cast<std::ptrdiff_t>(n - 1));
  }
  return losses;
}

}  // namespace

std::vector<std::vector<double>> position_losses_batch(TrainableLM& model,
                                                       const std::vector<const TokenSeq*>& songs,
                                                       const EvalOptions& options) {
  return batch_losses(model, nullptr, songs, options);
}

std::vector<double> position_losses(TrainableLM& model, const TokenSeq& song, const EvalOptions& options) {
  return position_losses_batch(model, {&song}, options).front();
}

PositionLossAccumulator evaluate_positions(TrainableLM& model, const std::vector<const TokenSeq*>& songs,
                                           const EvalOptions& options) {
  if (options.batch == 0) throw std::invalid_argument("evaluate_positions: batch must be at least 1");
  PositionLossAccumulator acc;
  torch::NoGradGuard no_grad;
  model.module->eval();
  // Every forward pass uses the same seeds: draw the noise-dependent constants (SPE codes, FAVOR+
  // projections) once for the longest input.
  LogitsFn fixed;
  if (model.fixed_noise_logits) {
    std::size_t longest = 0;
    for (const auto* s : songs) longest = std::max(longest, evaluated_tokens(*s, options));
    if (longest >= 2)
      fixed = model.fixed_noise_logits(eval_seeds(options), static_cast<std::int64_t>(longest) - 1);
  }
  for (std::size_t begin = 0; begin < songs.size(); begin += options.batch) {
    if (options.should_stop && options.should_stop()) break;
    const std::size_t end = std::min(songs.size(), begin + options.batch);
    const std::vector<const TokenSeq*> group(songs.begin() + static_cast<std::ptrdiff_t>(begin),
                                             songs.begin() + static_cast<std::ptrdiff_t>(end));
    for (auto& losses : batch_losses(model, fixed ? &fixed : nullptr, group, options)) acc.add_song(losses);
    if (options.on_progress) options.on_progress(end, songs.size());
  }
  return acc;
}

}  // namespace spe::train
