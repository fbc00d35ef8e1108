#pragma once
// NoiseContext: every random quantity of a forward pass or of a generated sequence, derived from seeds.
//
// The SPE paper's models draw, at every forward call, (a) one SPE noise realisation Z shared by all layers
// (sine: the (H,D,2K,R) gains noise; conv: white noise columns), (b) per layer the gating noise ε (H,D,R),
// and use (c) per layer the FAVOR+ projection ω, redrawn by a training policy. Here all three are pure
// functions of a NoiseContext:
//   * code_seed     → Z and ε (fresh per training batch; fixed for a whole generated take),
//   * feature_seed  → ω (kept across training steps until the redraw policy changes it).
// The same context given to PerformerLM::forward and PerformerLM::begin_sequence yields the same noise,
// which is what makes the recurrent generator reproduce the parallel forward exactly (SPE.md §6.4),
// and ONE user seed (NoiseContext(seed)) covers a whole take.

#include <cstdint>
#include <random>

#include <torch/types.h>

namespace spe::model {

enum class NoiseStream : std::uint64_t { sine_code = 1, conv_column = 2, gate = 3, favor = 4 };

class NoiseContext {
 public:
  explicit NoiseContext(std::uint64_t seed);
  NoiseContext(std::uint64_t code_seed, std::uint64_t feature_seed)
      : code_seed_(code_seed), feature_seed_(feature_seed) {}

  std::uint64_t code_seed() const { return code_seed_; }
  std::uint64_t feature_seed() const { return feature_seed_; }

  // Standard normal tensor of `shape` for (stream, index); identical values on every device and dtype
  // (up to the final rounding). The favor stream uses feature_seed, all others code_seed.
  torch::Tensor normal(NoiseStream stream, std::uint64_t index, at::IntArrayRef shape,
                       const torch::TensorOptions& options) const;
  // The raw key of (stream, index), for callers that fill their own buffers with keyed_normals().
  std::uint64_t key(NoiseStream stream, std::uint64_t index) const;

  bool operator==(const NoiseContext& other) const = default;

 private:
  std::uint64_t code_seed_;
  std::uint64_t feature_seed_;
};

// Training-time policy: a fresh code seed for every batch (the reference redraws Z and ε at every call),
// and the FAVOR+ features redrawn every `redraw_every` steps and/or with probability `redraw_probability`
// per step (pop piano: p = 0.05; groove: every 40 steps).
class TrainingNoise {
 public:
  TrainingNoise(std::uint64_t seed, double redraw_probability, int redraw_every);
  // The context for the next training step (step numbers start at 1).
  NoiseContext next();
  std::int64_t steps() const { return step_; }
  std::int64_t feature_redraws() const { return redraws_; }

 private:
  std::mt19937_64 rng_;
  double redraw_probability_;
  int redraw_every_;
  std::uint64_t feature_seed_;
  std::int64_t step_ = 0;
  std::int64_t redraws_ = 0;
};

}  // namespace spe::model
