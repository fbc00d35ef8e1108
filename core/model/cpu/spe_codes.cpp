#include "model/cpu/spe_codes.hpp"

#include "model/cpu/vector_clones.hpp"

namespace spe::model::cpu {

SPE_VECTOR_CLONES void project_sine_codes(const float* basis, const float* noise, float* out, std::size_t rows,
                                          std::size_t terms, std::size_t columns) {
  for (std::size_t i = 0; i < rows; ++i) {
    const float* b = basis + i * terms;
    const float* n = noise + i * terms * columns;
    float* o = out + i * columns;
    for (std::size_t c = 0; c < columns; ++c) o[c] = 0.0f;
    for (std::size_t j = 0; j < terms; ++j) {
      const float a = b[j];
      const float* row = n + j * columns;
      for (std::size_t c = 0; c < columns; ++c) o[c] += a * row[c];
    }
  }
}

SPE_VECTOR_CLONES void mix_gated_codes(const float* noise_term, const float* code, const float* scale, float* out,
                                       std::size_t rows, std::size_t columns) {
  for (std::size_t i = 0; i < rows; ++i) {
    const float s = scale[i];
    const float* n = noise_term + i * columns;
    const float* c = code + i * columns;
    float* o = out + i * columns;
    for (std::size_t r = 0; r < columns; ++r) o[r] = n[r] + c[r] * s;
  }
}

}  // namespace spe::model::cpu
