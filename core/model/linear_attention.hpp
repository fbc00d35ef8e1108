#pragma once
// Causal linear attention (SPE.md §2.2, §4.1), ε = 1e-6 added outside the dot product:
//   y_i = Σ_{j≤i} (φq_i·φk_j) v_j / (φq_i · Σ_{j≤i} φk_j + ε)
// Parallel (training) form: chunked. Within a chunk of C positions the masked C×C products are formed
// explicitly; across chunks an exclusive prefix sum of per-chunk states Σ φk vᵀ (F×E) carries the past.
// No N×N matrix is built: memory is O(B·H·(N/C·F·E + N·C)), and every op is differentiable.
// Recurrent (generation) form: state S (B,H,F,E), z (B,H,F), updated in place.

#include <cstdint>

#include <torch/types.h>

namespace spe::model {

constexpr double kLinearAttentionEps = 1e-6;

// phi_q, phi_k (B, H, N, F), values (B, H, N, E) → (B, H, N, E).
torch::Tensor causal_linear_attention(const torch::Tensor& phi_q, const torch::Tensor& phi_k,
                                      const torch::Tensor& values, std::int64_t chunk = 64,
                                      double eps = kLinearAttentionEps);

struct LinearAttentionState {
  torch::Tensor S;  // (B, H, F, E)
  torch::Tensor z;  // (B, H, F)
};

LinearAttentionState zero_linear_attention_state(std::int64_t batch, std::int64_t heads, std::int64_t features,
                                                 std::int64_t value_dim, const torch::TensorOptions& options);

// One position: phi_q, phi_k (B, H, F), value (B, H, E) → (B, H, E); updates `state` in place.
torch::Tensor causal_linear_attention_step(LinearAttentionState& state, const torch::Tensor& phi_q,
                                           const torch::Tensor& phi_k, const torch::Tensor& value,
                                           double eps = kLinearAttentionEps);

}  // namespace spe::model
