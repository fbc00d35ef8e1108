#include "model/cpu/attention_step.hpp"

#include <cstdint>

#include <ATen/Parallel.h>

#include "model/cpu/vector_clones.hpp"

namespace spe::model::cpu {

SPE_VECTOR_CLONES void contract_codes(const float* x, const float* codes, float* out, std::size_t groups, std::size_t batch,
                    std::size_t depth, std::size_t columns) {
  for (std::size_t g = 0; g < groups; ++g) {
    const float* m = codes + g * depth * columns;
    for (std::size_t b = 0; b < batch; ++b) {
      const float* in = x + (g * batch + b) * depth;
      float* o = out + (g * batch + b) * columns;
      for (std::size_t c = 0; c < columns; ++c) o[c] = 0.0f;
      for (std::size_t d = 0; d < depth; ++d) {  // row by row: the inner loop is a contiguous axpy
        const float a = in[d];
        const float* row = m + d * columns;
        for (std::size_t c = 0; c < columns; ++c) o[c] += a * row[c];
      }
    }
  }
}

namespace {

// One head of linear_attention_step (a function of its own: a lambda would not get the clones).
SPE_VECTOR_CLONES void attention_head(float* s, const float* k, const float* v, const float* q, float* r, float* out,
                                      float eps, std::size_t features, std::size_t columns) {
  for (std::size_t c = 0; c < columns; ++c) r[c] = 0.0f;
  for (std::size_t f = 0; f < features; ++f) {
    float* row = s + f * columns;
    const float kf = k[f], qf = q[f];
    for (std::size_t c = 0; c < columns; ++c) {
      row[c] += kf * v[c];
      r[c] += qf * row[c];
    }
  }
  const float den = r[columns - 1] + eps;
  for (std::size_t c = 0; c + 1 < columns; ++c) out[c] = r[c] / den;
}

}  // namespace

void linear_attention_step(float* state, const float* phi_k, const float* v_aug, const float* phi_q, float* read,
                           float* out, float eps, std::size_t heads, std::size_t features, std::size_t columns) {
  // A head of the pop model is F·C = 128·65 multiply-adds twice: a parallel region pays from 16 heads on
  // (batch ≥ 2 there), not at batch 1.
  at::parallel_for(0, static_cast<std::int64_t>(heads), 16, [&](std::int64_t begin, std::int64_t end) {
    for (auto h = static_cast<std::size_t>(begin); h < static_cast<std::size_t>(end); ++h)
      attention_head(state + h * features * columns, phi_k + h * features, v_aug + h * columns, phi_q + h * features,
                     read + h * columns, out + h * (columns - 1), eps, features, columns);
  });
}

SPE_VECTOR_CLONES void favor_exponents(const float* x, const float* omega, float* out, std::size_t rows,
                                       std::size_t depth, std::size_t features, float offset, float half_sq_scale) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* in = x + r * depth;
    float* o = out + r * features;
    float norm = 0.0f;
    for (std::size_t i = 0; i < depth; ++i) norm += in[i] * in[i];
    const float shift = offset + half_sq_scale * norm;
    for (std::size_t f = 0; f < features; ++f) o[f] = 0.0f;
    for (std::size_t i = 0; i < depth; ++i) {  // row by row: the inner loop is a contiguous axpy
      const float a = in[i];
      const float* row = omega + i * features;
      for (std::size_t f = 0; f < features; ++f) o[f] += a * row[f];
    }
    for (std::size_t f = 0; f < features; ++f) o[f] -= shift;
  }
}

}  // namespace spe::model::cpu
