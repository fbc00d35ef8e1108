#include "model/noise_context.hpp"

#include <torch/torch.h>

#include "model/keyed_noise.hpp"

namespace spe::model {

NoiseContext::NoiseContext(std::uint64_t seed)
    : code_seed_(derive_key(seed, 0x636f6465)), feature_seed_(derive_key(seed, 0x66656174)) {}

std::uint64_t NoiseContext::key(NoiseStream stream, std::uint64_t index) const {
  const std::uint64_t seed = stream == NoiseStream::favor ? feature_seed_ : code_seed_;
  return derive_key(seed, static_cast<std::uint64_t>(stream), index);
}

torch::Tensor NoiseContext::normal(NoiseStream stream, std::uint64_t index, at::IntArrayRef shape,
                                   const torch::TensorOptions& options) const {
  const auto cpu_type = options.dtype() == torch::kFloat64 ? torch::kFloat64 : torch::kFloat32;
  torch::Tensor values = torch::empty(shape, torch::TensorOptions().dtype(cpu_type));
  const std::uint64_t k = key(stream, index);
  if (cpu_type == torch::kFloat64)
    keyed_normals(k, values.data_ptr<double>(), values.numel());
  else
    keyed_normals(k, values.data_ptr<float>(), values.numel());
  return values.to(options);
}

TrainingNoise::TrainingNoise(std::uint64_t seed, double redraw_probability, int redraw_every)
    : rng_(seed), redraw_probability_(redraw_probability), redraw_every_(redraw_every), feature_seed_(rng_()) {}

NoiseContext TrainingNoise::next() {
  ++step_;
  bool redraw = false;
  if (redraw_every_ > 0 && step_ > 1 && (step_ - 1) % redraw_every_ == 0) redraw = true;
  if (redraw_probability_ > 0.0 && std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < redraw_probability_)
    redraw = true;
  if (redraw) {
    feature_seed_ = rng_();
    ++redraws_;
  }
  return NoiseContext(rng_(), feature_seed_);
}

}  // namespace spe::model
