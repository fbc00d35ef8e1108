#pragma once
// SPEFilter (SPE.md §1.3): mixes SPE codes with the actual queries/keys,
//   q̂[b,n,h,r] = Σ_d q[b,n,h,d] · Q̃[n,h,d,r],   Q̃ = sqrt(1−g)·Q̄ + sqrt(g)·ε  (gated),  Q̃ = Q̄ (ungated),
// g = sigmoid(gate) (H,D), ε (H,D,R) ~ N(0,1)/(D·R)^(1/4) constant over positions and shared by Q̃ and K̃.
// In expectation the kernel becomes (1−g)·P + g. The gate is folded into the queries
// (Σ_d (q·sqrt(1−g))·Q̄ + Σ_d (q·sqrt(g))·ε) so that no per-layer (N,H,D,R) code is materialised, and the
// contraction over D is a batched matmul on contiguous codes.

#include <torch/nn/module.h>
#include <torch/types.h>

#include "model/noise_context.hpp"
#include "model/spe_generators.hpp"

namespace spe::model {

// q̂[b,n,h,r] = Σ_d x[b,n,h,d] · code[n,h,d,r]: x (B, N, H, D), code (N, H, D, R) → (B, N, H, R).
// With autograd (or off the CPU) a batched matmul over N·H; on the CPU without a graph (evaluation,
// inference) one pass over the codes with an R-wide accumulator per (n, h) — same sums, other rounding order.
torch::Tensor contract_codes(const torch::Tensor& x, const torch::Tensor& code);

// The per-layer, per-sequence constant part of the gated codes.
struct GateTerms {
  torch::Tensor code_scale;  // sqrt(1 − g) as (H, D, 1)
  torch::Tensor noise_term;  // sqrt(g)·ε as (H, D, R)
};

class SPEFilter : public torch::nn::Module {
 public:
  SPEFilter(bool gated, int num_heads, int in_features);
  bool gated() const { return gated_; }

  // ε for `layer`, drawn from the code seed (one draw per layer per forward, as the reference).
  torch::Tensor gate_noise(const NoiseContext& noise, int layer, int realizations,
                           const torch::TensorOptions& options) const;
  GateTerms gate_terms(const NoiseContext& noise, int layer, int realizations) const;

  // Parallel form: queries/keys (B, N, H, D), codes (N_c ≥ N, H, D, R) → q̂, k̂ (B, N, H, R).
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& queries, const torch::Tensor& keys,
                                                  const SpeCodes& codes, const NoiseContext& noise,
                                                  int layer) const;
  // One position: q, k (B, H, D) and the code of that position (H, D, R) → (B, H, R).
  std::pair<torch::Tensor, torch::Tensor> step(const torch::Tensor& q, const torch::Tensor& k,
                                               const SpeCodes& code, const GateTerms& gate) const;
  // The gated code of one position (or the code itself when ungated): (H, D, R).
  static torch::Tensor mix(const torch::Tensor& code, const GateTerms& gate);

  void reset_parameters(at::Generator& generator);

  torch::Tensor gate;  // (H, D) when gated, undefined otherwise

 private:
  bool gated_;
  int num_heads_, in_features_;
};

}  // namespace spe::model
