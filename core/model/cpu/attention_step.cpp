#include "model/cpu/attention_step.hpp"

#include <cstdint>

#include <ATen/Parallel.h>

namespace spe::model::cpu {

void contract_codes(const float* x, const float* codes, float* out, std::size_t groups, std::size_t batch,
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

void linear_attention_step(float* state, const float* phi_k, const float* v_aug, const float* phi_q, float* read,
                           std::size_t heads, std::size_t features, std::size_t columns) {
  auto head = [&](std::size_t h) {
    float* s = state + h * features * columns;
    const float* v = v_aug + h * columns;
    const float* k = phi_k + h * features;
    const float* q = phi_q + h * features;
    float* r = read + h * columns;
    for (std::size_t c = 0; c < columns; ++c) r[c] = 0.0f;
    for (std::size_t f = 0; f < features; ++f) {
      float* row = s + f * columns;
      const float kf = k[f], qf = q[f];
      for (std::size_t c = 0; c < columns; ++c) {
        row[c] += kf * v[c];
        r[c] += qf * row[c];
      }
    }
  };
  // A head of the pop model is F·C = 128·65 multiply-adds twice: a parallel region pays from 16 heads on
  // (batch ≥ 2 there), not at batch 1.
  at::parallel_for(0, static_cast<std::int64_t>(heads), 16, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t h = begin; h < end; ++h) head(static_cast<std::size_t>(h));
  });
}

}  // namespace spe::model::cpu
