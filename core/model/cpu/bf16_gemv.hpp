#pragma once
// BF16 matrix × F32-accumulated vector products for batch-1 generation on the CPU, where a step streams
// every weight once per token: BF16 weights halve the bytes read. LibTorch 1.13's BF16 GEMV (oneDNN) is
// no faster than its F32 one on small batches, so this is our own kernel: AVX-512 BF16 (`vdpbf16ps`) where
// the CPU has it, and a portable one that computes the very same sums — same products (a BF16 × BF16
// product is exact in F32), same order, same flush of denormal sums to zero — so a seed gives the same
// take on every CPU.
//
// Layout: the matrix is (rows, cols) row-major (one output per row) with each row padded with zeros to a
// multiple of kBf16Block columns; input vectors are BF16, padded the same way. Plain pointers: no LibTorch.

#include <cstddef>
#include <cstdint>

namespace spe::model::cpu {

using bf16_t = std::uint16_t;  // the upper half of an IEEE float32

inline constexpr std::size_t kBf16Block = 32;  // columns per vdpbf16ps (one 512-bit register of BF16)

constexpr std::size_t padded_columns(std::size_t cols) { return (cols + kBf16Block - 1) / kBf16Block * kBf16Block; }

// Round to nearest even; denormals flush to (signed) zero, NaN stays NaN. The kernels never see a
// denormal input, so they need no denormals-are-zero rule.
bf16_t to_bf16(float value);
float from_bf16(bf16_t value);
// dst[i] = to_bf16(src[i]) for i < n, then zeros up to padded_columns(n).
void round_to_bf16(const float* src, std::size_t n, bf16_t* dst);

enum class Bf16Kernel {
  automatic,    // AVX-512 BF16 when the CPU has it, else portable
  avx512_bf16,  // throws std::runtime_error where the CPU (or this build) lacks it
  portable,
};
bool cpu_has_avx512_bf16();
const char* to_string(Bf16Kernel kernel);  // "auto" | "avx512_bf16" | "portable"
Bf16Kernel resolve(Bf16Kernel kernel);     // automatic → what runs here

// What happens to each sum s = Σ_c W[r, c]·x[c] before it is stored.
struct Bf16Epilogue {
  const float* bias = nullptr;      // (rows): s += bias[r]
  const float* residual = nullptr;  // (batch, rows), row stride `rows`: s += residual[b, r] (after the bias)
  bool relu = false;                // s = max(s, 0) (after bias and residual)
  float* out = nullptr;             // (batch, rows) F32, row stride `rows`; may alias `residual`
  bf16_t* out_bf16 = nullptr;       // (batch, padded_columns(rows)) BF16, zero-padded: the next product's input
};

struct Bf16MatrixView {
  const bf16_t* data = nullptr;  // (rows, padded_columns(cols))
  std::size_t rows = 0, cols = 0;
};

// For each of `batch` input rows x_b (stride padded_columns(cols)): y_b = epilogue(W·x_b). Rows of W are
// split over LibTorch's intra-op threads; the result does not depend on the thread count.
void gemv_bf16(const Bf16MatrixView& w, const bf16_t* x, std::size_t batch, const Bf16Epilogue& epilogue,
               Bf16Kernel kernel = Bf16Kernel::automatic);

}  // namespace spe::model::cpu
