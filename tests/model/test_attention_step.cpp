// The per-head loops of the step plan (core/model/cpu/attention_step.hpp) against double-precision sums
// of their definitions, within the float32 summation bound, and independent of the thread count; the
// FAVOR+ exponents the same way, and the per-position SPE loops (core/model/cpu/spe_codes.hpp): the sine
// projection within the same bound, the gate's mix to one rounding of each of its two operations.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include <ATen/Parallel.h>

#include "model/cpu/attention_step.hpp"
#include "model/cpu/spe_codes.hpp"

using namespace spe::model::cpu;

namespace {

std::vector<float> normal_values(std::size_t n, std::mt19937& rng, float scale = 1.0f) {
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

// γ_n = n·u/(1 − n·u), u = 2^-24: |computed − exact| ≤ γ_n·Σ|terms| for any order of n float32 additions
// of exactly rounded products (one more rounding per term: n + 1).
double gamma(std::size_t n) {
  const double u = std::ldexp(1.0, -24), k = static_cast<double>(n + 1);
  return k * u / (1.0 - k * u);
}

}  // namespace

TEST_CASE("SPE code contraction equals Σ_d x·codes within the float32 summation bound") {
  std::mt19937 rng(11);
  const std::size_t groups = 8, batch = 3, depth = 64, columns = 64;
  const auto x = normal_values(groups * batch * depth, rng);
  const auto codes = normal_values(groups * depth * columns, rng, 0.1f);
  std::vector<float> out(groups * batch * columns, -1.0f);
  contract_codes(x.data(), codes.data(), out.data(), groups, batch, depth, columns);
  for (std::size_t g = 0; g < groups; ++g)
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t c = 0; c < columns; ++c) {
        double exact = 0.0, magnitude = 0.0;
        for (std::size_t d = 0; d < depth; ++d) {
          const double t = static_cast<double>(x[(g * batch + b) * depth + d]) * codes[(g * depth + d) * columns + c];
          exact += t;
          magnitude += std::fabs(t);
        }
        CHECK(std::fabs(out[(g * batch + b) * columns + c] - exact) <= gamma(depth) * magnitude);
      }
}

TEST_CASE("linear attention step updates S' = [S | z] and reads φq·S' of the new state") {
  std::mt19937 rng(12);
  const std::size_t heads = 40, features = 128, columns = 33;  // 40 heads: more than one parallel chunk
  std::vector<float> state = normal_values(heads * features * columns, rng);
  for (float& s : state) s = std::fabs(s);  // S' of positive features is positive
  std::vector<float> phi_k = normal_values(heads * features, rng), phi_q = normal_values(heads * features, rng);
  for (float& p : phi_k) p = std::fabs(p);
  for (float& p : phi_q) p = std::fabs(p);
  const std::vector<float> v_aug = normal_values(heads * columns, rng);
  const std::vector<float> before = state;

  std::vector<float> read(heads * columns), att(heads * (columns - 1));
  const float eps = 1e-6f;
  linear_attention_step(state.data(), phi_k.data(), v_aug.data(), phi_q.data(), read.data(), att.data(), eps, heads,
                        features, columns);
  // The output: numerator over denominator + eps, one rounding each.
  for (std::size_t h = 0; h < heads; ++h)
    for (std::size_t c = 0; c + 1 < columns; ++c) {
      volatile float den = read[h * columns + columns - 1] + eps;
      CHECK(att[h * (columns - 1) + c] == read[h * columns + c] / den);
    }
  for (std::size_t h = 0; h < heads; ++h)
    for (std::size_t c = 0; c < columns; ++c) {
      double exact = 0.0, magnitude = 0.0, update_error = 0.0;
      for (std::size_t f = 0; f < features; ++f) {
        const std::size_t i = (h * features + f) * columns + c;
        const double updated = static_cast<double>(before[i]) + static_cast<double>(phi_k[h * features + f]) * v_aug[h * columns + c];
        // The update: one multiply-add, rounded once or twice.
        const double update_bound = 2 * std::ldexp(1.0, -24) * (std::fabs(before[i]) + std::fabs(updated));
        CHECK(std::fabs(state[i] - updated) <= update_bound);
        const double q = phi_q[h * features + f];
        exact += q * updated;
        magnitude += std::fabs(q * updated);
        update_error += q * update_bound;  // the read sees the rounded update
      }
      CHECK(std::fabs(read[h * columns + c] - exact) <= gamma(features) * (magnitude + update_error) + update_error);
    }

  SECTION("the result does not depend on the thread count") {
    const int threads = at::get_num_threads();
    std::vector<float> one_state = before, two_state = before, one(read.size()), two(read.size()), out(att.size());
    at::set_num_threads(1);
    linear_attention_step(one_state.data(), phi_k.data(), v_aug.data(), phi_q.data(), one.data(), out.data(), eps, heads,
                          features, columns);
    at::set_num_threads(2);
    linear_attention_step(two_state.data(), phi_k.data(), v_aug.data(), phi_q.data(), two.data(), out.data(), eps, heads,
                          features, columns);
    at::set_num_threads(threads);
    CHECK(one == two);
    CHECK(one_state == two_state);
    CHECK(one == read);
  }
}

TEST_CASE("the multi-versioned loops give the bits of the plain float32 loops") {
  // This file is built for baseline x86-64 (no FMA to contract into): the same additions in the same
  // order as the library's loops, whichever version (AVX-512, AVX2, baseline) this CPU runs.
  std::mt19937 rng(13);
  const std::size_t groups = 4, batch = 2, depth = 32, columns = 65, features = 24;
  const auto x = normal_values(groups * batch * depth, rng);
  const auto codes = normal_values(groups * depth * columns, rng);
  std::vector<float> out(groups * batch * columns), expected(out.size(), 0.0f);
  contract_codes(x.data(), codes.data(), out.data(), groups, batch, depth, columns);
  for (std::size_t gb = 0; gb < groups * batch; ++gb)
    for (std::size_t d = 0; d < depth; ++d)
      for (std::size_t c = 0; c < columns; ++c)
        expected[gb * columns + c] += x[gb * depth + d] * codes[((gb / batch) * depth + d) * columns + c];
  CHECK(out == expected);

  std::vector<float> state = normal_values(groups * features * columns, rng), plain = state;
  const auto phi_k = normal_values(groups * features, rng), phi_q = normal_values(groups * features, rng);
  const auto v_aug = normal_values(groups * columns, rng);
  std::vector<float> read(groups * columns), plain_read(read.size(), 0.0f), att(groups * (columns - 1));
  linear_attention_step(state.data(), phi_k.data(), v_aug.data(), phi_q.data(), read.data(), att.data(), 1e-6f, groups,
                        features, columns);
  for (std::size_t h = 0; h < groups; ++h)
    for (std::size_t f = 0; f < features; ++f)
      for (std::size_t c = 0; c < columns; ++c) {
        float& s = plain[(h * features + f) * columns + c];
        const float product = phi_k[h * features + f] * v_aug[h * columns + c];  // rounded, as without FMA
        s += product;
        const float read_product = phi_q[h * features + f] * s;
        plain_read[h * columns + c] += read_product;
      }
  CHECK(state == plain);
  CHECK(read == plain_read);

  // The FAVOR+ exponents: Σ x·Ω in order, the squared norm in order, then the shift.
  const std::size_t rows = 6, width = 16;
  const auto fx = normal_values(rows * depth, rng), omega = normal_values(depth * width, rng);
  std::vector<float> exponents(rows * width), plain_exponents(exponents.size(), 0.0f);
  favor_exponents(fx.data(), omega.data(), exponents.data(), rows, depth, width, 2.0f, 0.125f);
  for (std::size_t r = 0; r < rows; ++r) {
    float norm = 0.0f;
    for (std::size_t i = 0; i < depth; ++i) {
      const float square = fx[r * depth + i] * fx[r * depth + i];
      norm += square;
    }
    const float scaled = 0.125f * norm;
    const float shift = 2.0f + scaled;
    for (std::size_t i = 0; i < depth; ++i)
      for (std::size_t f = 0; f < width; ++f) {
        const float product = fx[r * depth + i] * omega[i * width + f];
        plain_exponents[r * width + f] += product;
      }
    for (std::size_t f = 0; f < width; ++f) plain_exponents[r * width + f] -= shift;
  }
  CHECK(exponents == plain_exponents);
}

TEST_CASE("FAVOR+ exponents equal x·Ω − (offset + c·‖x‖²) within the float32 summation bound") {
  std::mt19937 rng(14);
  const std::size_t rows = 16, depth = 64, features = 128;
  const auto x = normal_values(rows * depth, rng, 0.3f), omega = normal_values(depth * features, rng, 0.35f);
  const float offset = 0.5f * std::log(128.0f), c = 0.0625f;
  std::vector<float> out(rows * features);
  favor_exponents(x.data(), omega.data(), out.data(), rows, depth, features, offset, c);
  for (std::size_t r = 0; r < rows; ++r) {
    double norm = 0.0;
    for (std::size_t i = 0; i < depth; ++i) norm += static_cast<double>(x[r * depth + i]) * x[r * depth + i];
    const double shift = offset + c * norm;
    for (std::size_t f = 0; f < features; ++f) {
      double dot = 0.0, magnitude = 0.0;
      for (std::size_t i = 0; i < depth; ++i) {
        const double t = static_cast<double>(x[r * depth + i]) * omega[i * features + f];
        dot += t;
        magnitude += std::fabs(t);
      }
      // The dot product's bound, the norm's (positive terms) scaled by c, and the two final roundings.
      const double bound = gamma(depth) * magnitude + c * gamma(depth) * norm +
                           2 * std::ldexp(1.0, -24) * (std::fabs(dot) + std::fabs(shift));
      CHECK(std::fabs(out[r * features + f] - (dot - shift)) <= bound + 1e-7);
    }
  }
}

TEST_CASE("sineSPE projection equals Σ_j basis·noise within the float32 summation bound") {
  std::mt19937 rng(21);
  const std::size_t rows = 48, terms = 10, columns = 64;  // H·D rows, 2K cos/sin terms, R realisations
  const auto basis = normal_values(rows * terms, rng);
  const auto noise = normal_values(rows * terms * columns, rng, 0.3f);
  std::vector<float> out(rows * columns, -1.0f);
  project_sine_codes(basis.data(), noise.data(), out.data(), rows, terms, columns);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t c = 0; c < columns; ++c) {
      double exact = 0.0, magnitude = 0.0;
      for (std::size_t j = 0; j < terms; ++j) {
        const double t = static_cast<double>(basis[i * terms + j]) * noise[(i * terms + j) * columns + c];
        exact += t;
        magnitude += std::fabs(t);
      }
      CHECK(std::fabs(out[i * columns + c] - exact) <= gamma(terms) * magnitude);
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
