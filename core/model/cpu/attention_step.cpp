#include "model/cpu/attention_step.hpp"

#include <cstdint>

#include <ATen/Parallel.h>

// The loops are compiled for AVX-512, AVX2 and the baseline and picked at load time (GCC function
// multi-versioning): the build targets baseline x86-64 (SSE2). This file is compiled without FMA
// contraction (-ffp-contract=off, core/model/CMakeLists.txt) and vectorising over columns keeps each
// output element's order of additions, so every version gives the same bits.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define SPE_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SPE_VECTOR_CLONES
#endif

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
SPE_VECTOR_CLONES void attention_head(float* s, const float* k, const float* v, const float* q, float* r,
                                      std::size_t features, std::size_t columns) {
  for (std::size_t c = 0; c < columns; ++c) r[c] = 0.0f;
  for (std::size_t f = 0; f < features; ++f) {
    float* row = s + f * columns;
    const float kf = k[f], qf = q[f];
    for (std::size_t c = 0; c < columns; ++c) {
      row[c] += kf * v[c];
      r[c] += qf * row[c];
    }
  }
}

}  // namespace

void linear_attention_step(float* state, const float* phi_k, const float* v_aug, const float* phi_q, float* read,
                           std::size_t heads, std::size_t features, std::size_t columns) {
  // A head of the pop model is F·C = 128·65 multiply-adds twice: a parallel region pays from 16 heads on
  // (batch ≥ 2 there), not at batch 1.
  at::parallel_for(0, static_cast<std::int64_t>(heads), 16, [&](std::int64_t begin, std::int64_t end) {
    for (auto h = static_cast<std::size_t>(begin); h < static_cast<std::size_t>(end); ++h)
      attention_head(state + h * features * columns, phi_k + h * features, v_aug + h * columns, phi_q + h * features,
                     read + h * columns, features, columns);
  });
}

}  // namespace spe::model::cpu
