#pragma once
// Tensor-level pieces of kernels.hpp, for tests and tools that already include LibTorch.

#include <cstdint>

#include <torch/types.h>

#include "model/noise_context.hpp"
#include "model/spe_filter.hpp"
#include "model/spe_generators.hpp"

namespace spe::model {

// (H, D, max_lag + 1) float64: P, or (1−g)·P + g when `filter` is gated and given.
torch::Tensor prescribed_kernel(const SpeGenerator& generator, const SPEFilter* filter, std::int64_t max_lag);

// Monte-Carlo estimate from `realizations` codes drawn with `noise` (generator index `generator_index`, the
// filter's gating noise of `layer` when gated), key at `key_position`: (H, D, max_lag + 1) float64.
torch::Tensor estimated_kernel(const SpeGenerator& generator, const SPEFilter* filter, int realizations,
                               std::int64_t max_lag, const NoiseContext& noise, int generator_index, int layer,
                               std::int64_t key_position = 0);

// ‖estimate − reference‖_F / ‖reference‖_F.
double relative_error(const torch::Tensor& estimate, const torch::Tensor& reference);

}  // namespace spe::model
