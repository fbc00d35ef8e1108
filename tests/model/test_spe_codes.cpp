// The per-position SPE loops of the recurrent step (core/model/cpu/spe_codes.hpp) against their
// definitions in double precision: the projection within the float32 summation bound, the gate's
// mix to one rounding of each of its two operations.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "model/cpu/spe_codes.hpp"

using namespace spe::model::cpu;

namespace {

std::vector<float> normal_values(std::size_t n, std::mt19937& rng, float scale = 1.0f) {
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

}  // namespace

TEST_CASE("sineSPE projection equals Σ_j basis·noise within the float32 summation bound") {
  std::mt19937 rng(21);
  const std::size_t rows = 48, terms = 10, columns = 64;  // H·D rows, 2K cos/sin terms, R realisations
  const auto basis = normal_values(rows * terms, rng);
  const auto noise = normal_values(rows * terms * columns, rng, 0.3f);
  std::vector<float> out(rows * columns, -1.0f);
  project_sine_codes(basis.data(), noise.data(), out.data(), rows, terms, columns);
  const double u = std::ldexp(1.0, -24), gamma = (terms + 1) * u / (1.0 - (terms + 1) * u);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t c = 0; c < columns; ++c) {
      double exact = 0.0, magnitude = 0.0;
      for (std::size_t j = 0; j < terms; ++j) {
        const double t = static_cast<double>(basis[i * terms + j]) * noise[(i * terms + j) * columns + c];
        exact += t;
        magnitude += std::fabs(t);
      }
      CHECK(std::fabs(out[i * columns + c] - exact) <= gamma * magnitude);
    }
}

TEST_CASE("gated SPE mix is noise_term + code·scale with one rounding per operation") {
  std::mt19937 rng(22);
  const std::size_t rows = 32, columns = 16;
  const auto noise_term = normal_values(rows * columns, rng), code = normal_values(rows * columns, rng);
  std::vector<float> scale = normal_values(rows, rng);
  std::vector<float> out(rows * columns);
  mix_gated_codes(noise_term.data(), code.data(), scale.data(), out.data(), rows, columns);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t c = 0; c < columns; ++c) {
      const std::size_t k = i * columns + c;
      // The float result of the two roundings, exactly (volatile: no contraction into an FMA here).
      volatile float product = code[k] * scale[i];
      const float expected = noise_term[k] + product;
      CHECK(out[k] == expected);
    }
}
