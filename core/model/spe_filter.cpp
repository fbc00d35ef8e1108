#include "model/spe_filter.hpp"

#include <cmath>
#include <stdexcept>

#include <ATen/Parallel.h>
#include <torch/torch.h>

namespace spe::model {

namespace {

// x (B, N, H, D) · code (N, H, D, R) → (B, N, H, R) as one batched matmul over (N·H) (autograd path).
torch::Tensor contract_codes_bmm(const torch::Tensor& x, const torch::Tensor& code) {
  const auto b = x.size(0), n = x.size(1), h = x.size(2), d = x.size(3);
  const auto r = code.size(3);
  torch::Tensor lhs = x.permute({1, 2, 0, 3}).reshape({n * h, b, d});
  torch::Tensor out = torch::bmm(lhs, code.reshape({n * h, d, r}));  // (N·H, B, R)
  return out.view({n, h, b, r}).permute({2, 0, 1, 3});
}

// Per (n, h): out[b, :] = Σ_d x[b, d] · code[d, :], accumulating whole R-rows (vectorised by the compiler).
template <typename T>
void contract_rows(const T* x, const T* code, T* out, std::int64_t b, std::int64_t nh, std::int64_t d,
                   std::int64_t r) {
  at::parallel_for(0, nh, 16, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t i = lo; i < hi; ++i) {
      const T* c = code + i * d * r;
      for (std::int64_t bb = 0; bb < b; ++bb) {
        const T* xi = x + (bb * nh + i) * d;
        T* o = out + (bb * nh + i) * r;
        for (std::int64_t rr = 0; rr < r; ++rr) o[rr] = T(0);
        for (std::int64_t dd = 0; dd < d; ++dd) {
          const T xv = xi[dd];
          const T* row = c + dd * r;
          for (std::int64_t rr = 0; rr < r; ++rr) o[rr] += xv * row[rr];
        }
      }
    }
  });
}

}  // namespace

torch::Tensor contract_codes(const torch::Tensor& x, const torch::Tensor& code) {
  const bool needs_graph = torch::GradMode::is_enabled() && (x.requires_grad() || code.requires_grad());
  const auto type = x.scalar_type();
  if (needs_graph || !x.device().is_cpu() || !code.device().is_cpu() || code.scalar_type() != type ||
      (type != torch::kFloat32 && type != torch::kFloat64))
    return contract_codes_bmm(x, code);
  // CPU without autograd: bmm over N·H tiny (B × D)·(D × R) products dispatches one GEMM per (n, h) (8 192
  // for N = 2048, H = 4); one pass over the codes instead (measured ≈10× faster, docs/results/eval-speed.md).
  const auto b = x.size(0), n = x.size(1), h = x.size(2), d = x.size(3);
  const auto r = code.size(3);
  if (code.size(0) != n || code.size(1) != h || code.size(2) != d)
    throw std::invalid_argument("contract_codes: codes must be (N, H, D, R) for x (B, N, H, D)");
  torch::Tensor xc = x.contiguous();
  torch::Tensor cc = code.contiguous();
  torch::Tensor out = torch::empty({b, n, h, r}, x.options());
  if (type == torch::kFloat32)
    contract_rows(xc.data_ptr<float>(), cc.data_ptr<float>(), out.data_ptr<float>(), b, n * h, d, r);
  else
    contract_rows(xc.data_ptr<double>(), cc.data_ptr<double>(), out.data_ptr<double>(), b, n * h, d, r);
  return out;
}

namespace {

// x (B, N, H, D) · ε (H, D, R) → (B, N, H, R): one matmul per head.
torch::Tensor contract_noise(const torch::Tensor& x, const torch::Tensor& noise) {
  const auto b = x.size(0), n = x.size(1), h = x.size(2), d = x.size(3);
  torch::Tensor lhs = x.permute({2, 0, 1, 3}).reshape({h, b * n, d});
  torch::Tensor out = torch::bmm(lhs, noise);  // (H, B·N, R)
  return out.view({h, b, n, -1}).permute({1, 2, 0, 3});
}

}  // namespace

SPEFilter::SPEFilter(bool gated, int num_heads, int in_features)
    : gated_(gated), num_heads_(num_heads), in_features_(in_features) {
  if (gated_) {
    gate = register_parameter("gate", torch::zeros({num_heads, in_features}));
    at::Generator generator = at::detail::createCPUGenerator(0);
    reset_parameters(generator);
  }
}

void SPEFilter::reset_parameters(at::Generator& generator) {
  if (!gated_) return;
  torch::NoGradGuard no_grad;
  gate.copy_(torch::randn(gate.sizes(), generator, torch::TensorOptions().dtype(torch::kFloat64)));
}

torch::Tensor SPEFilter::gate_noise(const NoiseContext& noise, int layer, int realizations,
                                    const torch::TensorOptions& options) const {
  const double scale = std::pow(static_cast<double>(in_features_) * realizations, -0.25);
  return noise.normal(NoiseStream::gate, static_cast<std::uint64_t>(layer),
                      {num_heads_, in_features_, realizations}, options) *
         scale;
}

GateTerms SPEFilter::gate_terms(const NoiseContext& noise, int layer, int realizations) const {
  if (!gated_) return {};
  torch::Tensor g = torch::sigmoid(gate).unsqueeze(-1);  // (H, D, 1)
  return {torch::sqrt(1.0 - g), torch::sqrt(g) * gate_noise(noise, layer, realizations, gate.options())};
}

std::pair<torch::Tensor, torch::Tensor> SPEFilter::forward(const torch::Tensor& queries,
                                                           const torch::Tensor& keys, const SpeCodes& codes,
                                                           const NoiseContext& noise, int layer) const {
  if (queries.sizes() != keys.sizes())
    throw std::invalid_argument("SPEFilter: queries and keys differ in shape");
  const auto n = queries.size(1);
  if (codes.q.size(0) < n)
    throw std::invalid_argument("SPEFilter: the SPE code is shorter than the sequence");
  // A code drawn for a longer length is truncated to the first N positions (reference behaviour).
  torch::Tensor code_q = codes.q.narrow(0, 0, n);
  torch::Tensor code_k = codes.k.narrow(0, 0, n);
  if (!gated_) return {contract_codes(queries, code_q), contract_codes(keys, code_k)};
  const int realizations = static_cast<int>(codes.q.size(3));
  torch::Tensor g = torch::sigmoid(gate);  // (H, D)
  torch::Tensor code_weight = torch::sqrt(1.0 - g);
  torch::Tensor noise_weight = torch::sqrt(g);
  torch::Tensor eps = gate_noise(noise, layer, realizations, gate.options());
  auto filter = [&](const torch::Tensor& x, const torch::Tensor& code) {
    return contract_codes(x * code_weight, code) + contract_noise(x * noise_weight, eps);
  };
  return {filter(queries, code_q), filter(keys, code_k)};
}

torch::Tensor SPEFilter::mix(const torch::Tensor& code, const GateTerms& gate) {
  if (!gate.code_scale.defined()) return code;
  return torch::addcmul(gate.noise_term, code, gate.code_scale);
}

std::pair<torch::Tensor, torch::Tensor> SPEFilter::step(const torch::Tensor& q, const torch::Tensor& k,
                                                        const SpeCodes& code, const GateTerms& gate) const {
  // Σ_d q[b,h,d]·Q̃[h,d,r] as multiply + reduce: at one position the per-head products are far too small
  // for bmm, whose CPU path then loops over the batch with one dispatch per head.
  torch::Tensor qh = (q.unsqueeze(-1) * mix(code.q, gate)).sum(-2);
  torch::Tensor kh = (k.unsqueeze(-1) * mix(code.k, gate)).sum(-2);
  return {qh, kh};
}

}  // namespace spe::model
