#pragma once
// What the trainer and the evaluator need from a language model, without depending on its class: the
// module (parameters, train/eval mode, device) and a forward that maps tokens (B, N) int64 to logits
// (B, N, V) given the seeds of its random quantities (SPE code + gating noise, and random features).

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <memory>

namespace torch::nn {
class Module;
}

namespace spe::train {

struct NoiseSeeds {
  std::uint64_t code = 0;      // SPE noise and gating noise: fresh for every training batch
  std::uint64_t features = 0;  // FAVOR+ projections: kept until the redraw policy changes them
};

struct TrainableLM {
  std::shared_ptr<torch::nn::Module> module;
  std::function<at::Tensor(const at::Tensor& tokens, const NoiseSeeds& seeds)> logits;
  std::int64_t vocab_size = 0;
  // Optional: a logits function for inputs of at most `length` tokens that all use `seeds`, with the
  // noise-dependent constants drawn once (evaluation). Same values as `logits` with those seeds.
  std::function<std::function<at::Tensor(const at::Tensor& tokens)>(const NoiseSeeds& seeds,
                                                                    std::int64_t length)>
      fixed_noise_logits;
};

// A 64-bit mix of (seed, a, b): used to derive per-step seeds that a resumed run recomputes exactly.
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0);

}  // namespace spe::train
