#include "model/linear_attention.hpp"

#include <stdexcept>

#include <torch/torch.h>

namespace spe::model {

torch::Tensor causal_linear_attention(const torch::Tensor& phi_q, const torch::Tensor& phi_k,
                                      const torch::Tensor& values, std::int64_t chunk, double eps) {
  if (phi_q.dim() != 4 || phi_q.sizes() != phi_k.sizes() || values.dim() != 4 ||
      values.size(2) != phi_q.size(2))
    throw std::invalid_argument("causal_linear_attention: expected (B,H,N,F) features and (B,H,N,E) values");
  if (chunk <= 0) throw std::invalid_argument("causal_linear_attention: chunk must be positive");
  const auto b = phi_q.size(0), h = phi_q.size(1), n = phi_q.size(2), f = phi_q.size(3), e = values.size(3);
  if (n == 0) return values.clone();
  const std::int64_t c = std::min(chunk, n);
  const std::int64_t m = (n + c - 1) / c;
  const std::int64_t pad = m * c - n;
  // Zero-padded keys/values add nothing to any sum; padded query rows are dropped at the end.
  auto padded = [&](const torch::Tensor& x) {
    return pad == 0 ? x : torch::constant_pad_nd(x, {0, 0, 0, pad});
  };
  torch::Tensor q = padded(phi_q).view({b, h, m, c, f});
  torch::Tensor k = padded(phi_k).view({b, h, m, c, f});
  torch::Tensor v = padded(values).view({b, h, m, c, e});

  // Inter-chunk: states of all earlier chunks.
  torch::Tensor chunk_kv = torch::matmul(k.transpose(-1, -2), v);  // (B,H,M,F,E)
  torch::Tensor chunk_k = k.sum(3);                                  // (B,H,M,F)
  torch::Tensor past_kv = torch::cumsum(chunk_kv, 2) - chunk_kv;
  torch::Tensor past_k = torch::cumsum(chunk_k, 2) - chunk_k;
  torch::Tensor numerator = torch::matmul(q, past_kv);                          // (B,H,M,C,E)
  torch::Tensor denominator = torch::matmul(q, past_k.unsqueeze(-1)).squeeze(-1);  // (B,H,M,C)

  // Intra-chunk: explicit lower-triangular C×C products.
  torch::Tensor scores = torch::matmul(q, k.transpose(-1, -2));  // (B,H,M,C,C)
  torch::Tensor mask = torch::ones({c, c}, scores.options().dtype(torch::kBool)).tril();
  scores = scores.masked_fill(mask.logical_not(), 0.0);
  numerator = numerator + torch::matmul(scores, v);
  denominator = denominator + scores.sum(-1);

  torch::Tensor out = numerator / (denominator.unsqueeze(-1) + eps);
  out = out.view({b, h, m * c, e});
  return pad == 0 ? out : out.narrow(2, 0, n);
}

LinearAttentionState zero_linear_attention_state(std::int64_t batch, std::int64_t heads, std::int64_t features,
                                                 std::int64_t value_dim, const torch::TensorOptions& options) {
  return {torch::zeros({batch, heads, features, value_dim}, options), torch::zeros({batch, heads, features}, options)};
}

torch::Tensor causal_linear_attention_step(LinearAttentionState& state, const torch::Tensor& phi_q,
                                           const torch::Tensor& phi_k, const torch::Tensor& value, double eps) {
  // Element-wise updates and reductions: per (b, h) the products are tiny, and bmm's CPU path would
  // dispatch once per batch entry.
  state.S.addcmul_(phi_k.unsqueeze(-1), value.unsqueeze(-2));  // S += φk vᵀ
  state.z.add_(phi_k);                                          // z += φk
  torch::Tensor numerator = (phi_q.unsqueeze(-1) * state.S).sum(-2);           // (B, H, E)
  torch::Tensor denominator = (phi_q * state.z).sum(-1, /*keepdim=*/true).add_(eps);  // (B, H, 1)
  return numerator.div_(denominator);
}

}  // namespace spe::model
