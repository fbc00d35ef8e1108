#pragma once
// Feature maps φ of linear attention (SPE.md §4.2): softmax(q·k/sqrt(d)) ≈ φ(q)·φ(k).
//   favor : FAVOR+ positive (orthogonal) random features, φ(x) = [exp(x'ω − c), exp(−x'ω − c)],
//           x' = x·d^(-1/4) (temperature 1/sqrt(d)), c = ‖x'‖²/2 + ½·ln F, ω (d, F/2).
//   relu  : φ(x) = relu(x);   elu : φ(x) = elu(x) + 1.
// ω is not module state: it is drawn from a NoiseContext (feature seed, per layer), so one seed fixes
// it for a whole generation and a training policy decides when to redraw (TrainingNoise).

#include <functional>

#include <torch/types.h>

#include "model/config.hpp"
#include "model/noise_context.hpp"

namespace spe::model {

class FeatureMap {
 public:
  FeatureMap(FeatureMapConfig config, int input_dim);

  int input_dim() const { return input_dim_; }
  int output_dim() const;
  FeatureMapKind kind() const { return config_.kind; }

  // ω for `layer` (favor), shape (input_dim, F/2); an undefined tensor for the deterministic maps.
  torch::Tensor draw(const NoiseContext& noise, int layer, const torch::TensorOptions& options) const;
  // x (..., input_dim) → (..., output_dim).
  torch::Tensor apply(const torch::Tensor& x, const torch::Tensor& omega) const;

 private:
  FeatureMapConfig config_;
  int input_dim_;
};

// Orthogonal random features (Performer): blocks of d columns, each the Q factor of a d×d Gaussian
// matrix with column j scaled by the norm of row j of that Gaussian matrix. `normals` supplies the
// Gaussian blocks (block b → a (d, d) tensor), so the caller controls the randomness.
torch::Tensor orthogonal_gaussian_projection(int input_dim, int columns,
                                             const std::function<torch::Tensor(int block)>& normals);

}  // namespace spe::model
