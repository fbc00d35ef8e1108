// The BF16 kernel (core/model/cpu/bf16_gemv.hpp): rounding, the AVX-512 BF16 and portable kernels giving
// bit-identical sums (so a seed gives the same take on every CPU), the sums against an exact reference
// within the float32 summation bound, the epilogue, and independence of the thread count.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <ATen/Parallel.h>

#include "model/cpu/bf16_gemv.hpp"

using namespace spe::model::cpu;

namespace {

std::uint32_t bits(float v) { return std::bit_cast<std::uint32_t>(v); }
float from_bits(std::uint32_t b) { return std::bit_cast<float>(b); }

struct Problem {
  std::size_t rows, cols, batch;
  std::vector<bf16_t> w, x;
  std::vector<float> bias, residual;
};

// Weights ~ N(0, 1/cols), inputs ~ N(0, 1): the magnitudes of a layer of the model.
Problem random_problem(std::size_t rows, std::size_t cols, std::size_t batch, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Problem p{rows, cols, batch, {}, {}, {}, {}};
  const std::size_t ld = padded_columns(cols);
  std::vector<float> row(cols);
  p.w.resize(rows * ld);
  for (std::size_t r = 0; r < rows; ++r) {
    for (float& v : row) v = normal(rng) / std::sqrt(static_cast<float>(cols));
    round_to_bf16(row.data(), cols, p.w.data() + r * ld);
  }
  p.x.resize(batch * ld);
  for (std::size_t b = 0; b < batch; ++b) {
    for (float& v : row) v = normal(rng);
    round_to_bf16(row.data(), cols, p.x.data() + b * ld);
  }
  for (std::size_t r = 0; r < rows; ++r) p.bias.push_back(normal(rng));
  for (std::size_t i = 0; i < rows * batch; ++i) p.residual.push_back(normal(rng));
  return p;
}

std::vector<float> run(const Problem& p, Bf16Kernel kernel, bool epilogue) {
  std::vector<float> out(p.rows * p.batch);
  Bf16Epilogue e;
  e.out = out.data();
  if (epilogue) {
    e.bias = p.bias.data();
    e.residual = p.residual.data();
  }
  gemv_bf16({p.w.data(), p.rows, p.cols}, p.x.data(), p.batch, e, kernel);
  return out;
}

}  // namespace

TEST_CASE("to_bf16 rounds to nearest even and flushes denormals") {
  CHECK(to_bf16(1.0f) == 0x3f80);
  CHECK(from_bf16(0x3f80) == 1.0f);
  CHECK(to_bf16(-2.0f) == 0xc000);
  // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1.0); just above goes up.
  CHECK(to_bf16(from_bits(0x3f808000u)) == 0x3f80);
  CHECK(to_bf16(from_bits(0x3f818000u)) == 0x3f82);  // odd mantissa at the tie rounds up to even
  CHECK(to_bf16(from_bits(0x3f808001u)) == 0x3f81);
  CHECK(to_bf16(std::numeric_limits<float>::denorm_min()) == 0x0000);
  CHECK(to_bf16(-std::numeric_limits<float>::denorm_min()) == 0x8000);
  CHECK(std::isnan(from_bf16(to_bf16(std::numeric_limits<float>::quiet_NaN()))));
  CHECK(std::isinf(from_bf16(to_bf16(std::numeric_limits<float>::infinity()))));
  // Every BF16 value converts back exactly.
  for (std::uint32_t b = 0; b < 0x10000u; b += 7) {
    const float v = from_bf16(static_cast<bf16_t>(b));
    if (std::isnan(v) || (b & 0x7f80u) == 0) continue;
    CHECK(to_bf16(v) == b);
  }
  std::vector<bf16_t> padded(padded_columns(5), 0xffff);
  const float five[5] = {1, 2, 3, 4, 5};
  round_to_bf16(five, 5, padded.data());
  CHECK(padded.size() == 32);
  for (std::size_t i = 5; i < padded.size(); ++i) CHECK(padded[i] == 0);
}

TEST_CASE("BF16 kernel sums equal the exact products' sum within the float32 summation bound") {
  // Every product of two BF16 values is exact in float32, so the only error is the summation's:
  // |s − Σ p| ≤ γ_n · Σ|p| with γ_n = n·u/(1 − n·u), u = 2^-24, for any order of n additions.
  const Problem p = random_problem(37, 300, 2, 1);
  const std::vector<float> got = run(p, Bf16Kernel::automatic, false);
  const std::size_t ld = padded_columns(p.cols);
  const double n = static_cast<double>(ld), u = std::ldexp(1.0, -24), gamma = n * u / (1.0 - n * u);
  for (std::size_t b = 0; b < p.batch; ++b)
    for (std::size_t r = 0; r < p.rows; ++r) {
      double exact = 0.0, magnitude = 0.0;
      for (std::size_t c = 0; c < p.cols; ++c) {
        const double prod = static_cast<double>(from_bf16(p.w[r * ld + c])) * from_bf16(p.x[b * ld + c]);
        exact += prod;
        magnitude += std::fabs(prod);
      }
      const double error = std::fabs(got[b * p.rows + r] - exact);
      INFO("row " << r << " batch " << b << ": error " << error << " bound " << gamma * magnitude);
      CHECK(error <= gamma * magnitude);
    }
}

TEST_CASE("the AVX-512 BF16 and portable kernels give bit-identical results") {
  if (!cpu_has_avx512_bf16()) {
    WARN("this CPU has no AVX-512 BF16: only the portable kernel runs here");
    return;
  }
  for (const auto& [rows, cols, batch] : std::vector<std::array<std::size_t, 3>>{
           // batch 1 runs eight rows per pass: 5..8-row passes and every remainder
           {1536, 512, 1}, {333, 256, 1}, {7, 64, 1}, {14, 96, 1}, {9, 128, 1}, {12, 64, 1}, {11, 32, 1},
           {1027, 2048, 3}, {5, 31, 2}, {64, 1000, 8}, {99, 512, 5}, {7, 64, 7}, {130, 96, 13}, {33, 128, 6}}) {
    INFO(rows << " x " << cols << ", batch " << batch);
    const Problem p = random_problem(rows, cols, batch, static_cast<unsigned>(rows + cols));
    for (bool epilogue : {false, true}) {
      const std::vector<float> fast = run(p, Bf16Kernel::avx512_bf16, epilogue);
      const std::vector<float> portable = run(p, Bf16Kernel::portable, epilogue);
      std::size_t differing = 0;
      for (std::size_t i = 0; i < fast.size(); ++i) differing += bits(fast[i]) != bits(portable[i]);
      CHECK(differing == 0);
    }
  }
}

TEST_CASE("BF16 kernel epilogue: bias, residual, ReLU and the BF16 output") {
  const Problem p = random_problem(70, 96, 2, 3);
  const std::vector<float> plain = run(p, Bf16Kernel::portable, false);
  std::vector<float> out(p.residual);  // the residual aliases the output, as in the step plan
  std::vector<bf16_t> out16(p.batch * padded_columns(p.rows), 0xffff);
  Bf16Epilogue e;
  e.bias = p.bias.data();
  e.residual = out.data();
  e.relu = true;
  e.out = out.data();
  e.out_bf16 = out16.data();
  gemv_bf16({p.w.data(), p.rows, p.cols}, p.x.data(), p.batch, e, Bf16Kernel::portable);
  std::size_t clipped = 0;
  for (std::size_t b = 0; b < p.batch; ++b) {
    for (std::size_t r = 0; r < p.rows; ++r) {
      const std::size_t i = b * p.rows + r;
      const float expected = std::max(plain[i] + p.bias[r] + p.residual[i], 0.0f);
      CHECK(out[i] == expected);
      CHECK(out16[b * padded_columns(p.rows) + r] == to_bf16(expected));
      clipped += expected == 0.0f;
    }
    for (std::size_t r = p.rows; r < padded_columns(p.rows); ++r) CHECK(out16[b * padded_columns(p.rows) + r] == 0);
  }
  CHECK(clipped > 20);  // ReLU really cut about half of the 140 sums
  CHECK(clipped < 120);
}

TEST_CASE("BF16 kernel results do not depend on the thread count") {
  // Both kernels: the portable one's F32 copy of the input must reach every worker thread.
  const Problem p = random_problem(2048, 512, 1, 5);
  const int threads = at::get_num_threads();
  for (const Bf16Kernel kernel : {Bf16Kernel::automatic, Bf16Kernel::portable}) {
    INFO("kernel " << to_string(kernel));
    at::set_num_threads(1);
    const std::vector<float> one = run(p, kernel, true);
    at::set_num_threads(2);
    const std::vector<float> two = run(p, kernel, true);
    at::set_num_threads(threads);
    CHECK(one == two);
  }
}
