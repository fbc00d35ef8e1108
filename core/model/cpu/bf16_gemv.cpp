#include "model/cpu/bf16_gemv.hpp"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <stdexcept>
#include <vector>

#include <ATen/Parallel.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define SPE_BF16_X86 1
#endif

namespace spe::model::cpu {

namespace {

constexpr std::size_t kLanes = kBf16Block / 2;  // F32 accumulators per block: lane j sums columns 2j and 2j+1

// vdpbf16ps flushes a denormal sum to zero (FTZ), whatever MXCSR says: the portable kernel does the same.
inline float flush_denormal(float v) { return std::fabs(v) < FLT_MIN ? std::copysign(0.0f, v) : v; }

// The one summation order of both kernels for the 16 lane sums of a row (a tree, as a register
// reduction would do it).
inline float reduce_lanes(float* a) {
  for (std::size_t i = 0; i < 8; ++i) a[i] += a[i + 8];
  for (std::size_t i = 0; i < 4; ++i) a[i] += a[i + 4];
  for (std::size_t i = 0; i < 2; ++i) a[i] += a[i + 2];
  return a[0] + a[1];
}

// Sums of R consecutive rows against one input, written to sums[0..R).
template <int R>
void dot_rows_portable(const bf16_t* w, std::size_t ld, const float* x, float* sums) {
  float acc[R][kLanes] = {};
  for (std::size_t k = 0; k < ld; k += kBf16Block)
    for (int r = 0; r < R; ++r) {
      const bf16_t* row = w + static_cast<std::size_t>(r) * ld + k;
      for (std::size_t j = 0; j < kLanes; ++j) {  // vdpbf16ps: the odd column first, then the even one
        acc[r][j] = flush_denormal(acc[r][j] + from_bf16(row[2 * j + 1]) * x[k + 2 * j + 1]);
        acc[r][j] = flush_denormal(acc[r][j] + from_bf16(row[2 * j]) * x[k + 2 * j]);
      }
    }
  for (int r = 0; r < R; ++r) sums[r] = reduce_lanes(acc[r]);
}

#ifdef SPE_BF16_X86
// reduce_lanes of 16 accumulators at once, out[i] = reduce_lanes(v[i]), with the same tree (so the same bits)
// but 15 vector adds instead of 16 × 15 scalar ones: each level adds the halves of two accumulators' live
// lanes in one instruction. After the four levels, element 4L + j holds the sum of v[4j + L].
__attribute__((target("avx512f"))) inline void reduce_lanes_16(const __m512* v, float* out) {
  __m512 w[8], x[4], y[2];
  for (int k = 0; k < 8; ++k)  // a[i] + a[i + 8]: 256-bit halves; v[2k] lands in w[k]'s low half
    w[k] = _mm512_add_ps(_mm512_shuffle_f32x4(v[2 * k], v[2 * k + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                         _mm512_shuffle_f32x4(v[2 * k], v[2 * k + 1], _MM_SHUFFLE(3, 2, 3, 2)));
  for (int k = 0; k < 4; ++k)  // a[i] + a[i + 4]: 128-bit lanes; 128-bit lane L of x[k] belongs to v[4k + L]
    x[k] = _mm512_add_ps(_mm512_shuffle_f32x4(w[2 * k], w[2 * k + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                         _mm512_shuffle_f32x4(w[2 * k], w[2 * k + 1], _MM_SHUFFLE(3, 1, 3, 1)));
  for (int k = 0; k < 2; ++k) {  // a[i] + a[i + 2]: pairs of floats moved as doubles, added as floats
    const __m512d a = _mm512_castps_pd(x[2 * k]), b = _mm512_castps_pd(x[2 * k + 1]);
    y[k] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(a, b)), _mm512_castpd_ps(_mm512_unpackhi_pd(a, b)));
  }
  // a[0] + a[1]: neighbouring floats. Lane L of z: the sums of v[L], v[4 + L], v[8 + L], v[12 + L].
  const __m512 z = _mm512_add_ps(_mm512_shuffle_ps(y[0], y[1], _MM_SHUFFLE(2, 0, 2, 0)),
                                 _mm512_shuffle_ps(y[0], y[1], _MM_SHUFFLE(3, 1, 3, 1)));
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  _mm512_store_ps(out, _mm512_permutexvar_ps(order, z));
}

// Sums of R consecutive rows against B inputs (stride ld), written to sums[r * B + b]: each weight block is
// loaded once for all B inputs instead of once per input. Every accumulator sees the same products in the
// same order as at B = 1, so the sums do not depend on B.
template <int R, int B>
__attribute__((target("avx512f,avx512bf16"))) void dot_rows_avx512(const bf16_t* w, std::size_t ld, const bf16_t* x,
                                                                   float* sums) {
  __m512 acc[R][B];
  for (int r = 0; r < R; ++r)
    for (int b = 0; b < B; ++b) acc[r][b] = _mm512_setzero_ps();
  for (std::size_t k = 0; k < ld; k += kBf16Block) {
    __m512bh xv[B];
    for (int b = 0; b < B; ++b) xv[b] = (__m512bh)_mm512_loadu_si512(x + static_cast<std::size_t>(b) * ld + k);
    for (int r = 0; r < R; ++r) {
      const bf16_t* at = w + static_cast<std::size_t>(r) * ld + k;
      // The same cache line of the next group's rows: short rows end before the hardware prefetcher
      // has locked onto them (each row is a new stream).
      _mm_prefetch(reinterpret_cast<const char*>(at + static_cast<std::size_t>(R) * ld), _MM_HINT_T0);
      const __m512bh wv = (__m512bh)_mm512_loadu_si512(at);
      for (int b = 0; b < B; ++b) acc[r][b] = _mm512_dpbf16_ps(acc[r][b], wv, xv[b]);
    }
  }
  __m512 all[16];
  for (int r = 0; r < R; ++r)
    for (int b = 0; b < B; ++b) all[r * B + b] = acc[r][b];
  for (int i = R * B; i < 16; ++i) all[i] = _mm512_setzero_ps();
  alignas(64) float reduced[16];
  reduce_lanes_16(all, reduced);
  for (int i = 0; i < R * B; ++i) sums[i] = reduced[i];
}

// dot_rows_avx512<R, B> for a runtime row count (1..8 for one input, else 1..4) and input count (1..kInputGroup).
template <int B>
__attribute__((target("avx512f,avx512bf16"))) void dot_rows_avx512_rows(int rows, const bf16_t* w, std::size_t ld,
                                                                        const bf16_t* x, float* sums) {
  if constexpr (B == 1)  // one input: up to eight rows (eight weight streams in flight, one reduction)
    switch (rows) {
      case 8: dot_rows_avx512<8, 1>(w, ld, x, sums); return;
      case 7: dot_rows_avx512<7, 1>(w, ld, x, sums); return;
      case 6: dot_rows_avx512<6, 1>(w, ld, x, sums); return;
      case 5: dot_rows_avx512<5, 1>(w, ld, x, sums); return;
      default: break;
    }
  switch (rows) {
    case 4: dot_rows_avx512<4, B>(w, ld, x, sums); break;
    case 3: dot_rows_avx512<3, B>(w, ld, x, sums); break;
    case 2: dot_rows_avx512<2, B>(w, ld, x, sums); break;
    default: dot_rows_avx512<1, B>(w, ld, x, sums); break;
  }
}
#endif

constexpr int kInputGroup = 4;  // inputs per pass of the AVX-512 kernel: 4 rows × 4 inputs = 16 accumulators

constexpr int kRowGroup = 4;  // rows per pass over the input: four independent accumulator chains
constexpr int kRowGroupOneInput = 8;  // the AVX-512 kernel's rows per pass at batch 1

}  // namespace

namespace {
// to_bf16's body, inlined in the kernels' epilogue (one call per output otherwise).
inline bf16_t round_bf16(float value) {
  const auto b = std::bit_cast<std::uint32_t>(value);
  if ((b & 0x7f800000u) == 0) return static_cast<bf16_t>((b >> 16) & 0x8000u);  // zero or denormal
  if ((b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu) != 0)
    return static_cast<bf16_t>((b >> 16) | 0x0040u);  // NaN stays a (quiet) NaN
  const std::uint32_t rounded = b + 0x7fffu + ((b >> 16) & 1u);
  return static_cast<bf16_t>(rounded >> 16);
}
}  // namespace

bf16_t to_bf16(float value) { return round_bf16(value); }

float from_bf16(bf16_t value) { return std::bit_cast<float>(static_cast<std::uint32_t>(value) << 16); }

void round_to_bf16(const float* src, std::size_t n, bf16_t* dst) {
  for (std::size_t i = 0; i < n; ++i) dst[i] = round_bf16(src[i]);
  for (std::size_t i = n; i < padded_columns(n); ++i) dst[i] = 0;
}

bool cpu_has_avx512_bf16() {
#ifdef SPE_BF16_X86
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bf16");
  return has;
#else
  return false;
#endif
}

const char* to_string(Bf16Kernel kernel) {
  switch (kernel) {
    case Bf16Kernel::automatic: return "auto";
    case Bf16Kernel::avx512_bf16: return "avx512_bf16";
    case Bf16Kernel::portable: return "portable";
  }
  return "auto";
}

Bf16Kernel resolve(Bf16Kernel kernel) {
  if (kernel == Bf16Kernel::automatic) return cpu_has_avx512_bf16() ? Bf16Kernel::avx512_bf16 : Bf16Kernel::portable;
  if (kernel == Bf16Kernel::avx512_bf16 && !cpu_has_avx512_bf16())
    throw std::runtime_error("the BF16 kernel avx512_bf16 needs a CPU with AVX-512 BF16 (this one has none)");
  return kernel;
}

void gemv_bf16(const Bf16MatrixView& w, const bf16_t* x, std::size_t batch, const Bf16Epilogue& epilogue,
               Bf16Kernel kernel) {
  const Bf16Kernel use = resolve(kernel);
  const std::size_t ld = padded_columns(w.cols), out_ld = padded_columns(w.rows);
  // The portable kernel reads the input as F32 (exactly the BF16 values), converted once per call into a
  // buffer this thread keeps: it is the hot path on CPUs without AVX-512 BF16, so no allocation per product.
  // (A plain pointer into it: the parallel region's workers must not name their own, empty thread_local.)
  thread_local std::vector<float> scratch;
  const float* x_f32 = nullptr;
  if (use == Bf16Kernel::portable) {
    scratch.resize(batch * ld);
    for (std::size_t i = 0; i < batch * ld; ++i) scratch[i] = from_bf16(x[i]);
    x_f32 = scratch.data();
  }
  // sums[i * inputs + j] is row first + i against input b + j; the epilogue's options tested once per call.
  auto store = [&](std::size_t first, int count, std::size_t b, int inputs, float* sums) {
    for (int j = 0; j < inputs; ++j) {
      const std::size_t at = (b + static_cast<std::size_t>(j)) * w.rows + first;
      float s[kRowGroupOneInput];
      for (int i = 0; i < count; ++i) s[i] = sums[i * inputs + j];
      if (epilogue.bias)
        for (int i = 0; i < count; ++i) s[i] += epilogue.bias[first + static_cast<std::size_t>(i)];
      if (epilogue.residual)
        for (int i = 0; i < count; ++i) s[i] += epilogue.residual[at + static_cast<std::size_t>(i)];
      if (epilogue.relu)
        for (int i = 0; i < count; ++i) s[i] = std::max(s[i], 0.0f);
      if (epilogue.out)
        for (int i = 0; i < count; ++i) epilogue.out[at + static_cast<std::size_t>(i)] = s[i];
      if (epilogue.out_bf16) {
        bf16_t* dst = epilogue.out_bf16 + (b + static_cast<std::size_t>(j)) * out_ld + first;
        for (int i = 0; i < count; ++i) dst[i] = round_bf16(s[i]);
      }
    }
  };
  // Rows first..first+count against inputs b..b+inputs (inputs > 1 only for the AVX-512 kernel).
  auto rows = [&](std::size_t first, int count, std::size_t b, int inputs) {
    float sums[kRowGroup * kInputGroup];
    const bf16_t* block = w.data + first * ld;
#ifdef SPE_BF16_X86
    if (use == Bf16Kernel::avx512_bf16) {
      const bf16_t* in = x + b * ld;
      switch (inputs) {
        case 4: dot_rows_avx512_rows<4>(count, block, ld, in, sums); break;
        case 3: dot_rows_avx512_rows<3>(count, block, ld, in, sums); break;
        case 2: dot_rows_avx512_rows<2>(count, block, ld, in, sums); break;
        default: dot_rows_avx512_rows<1>(count, block, ld, in, sums); break;
      }
    } else
#endif
    {
      const float* in = x_f32 + b * ld;
      switch (count) {
        case 4: dot_rows_portable<4>(block, ld, in, sums); break;
        case 3: dot_rows_portable<3>(block, ld, in, sums); break;
        case 2: dot_rows_portable<2>(block, ld, in, sums); break;
        default: dot_rows_portable<1>(block, ld, in, sums); break;
      }
    }
    store(first, count, b, inputs, sums);
  };
  const std::size_t input_group = use == Bf16Kernel::avx512_bf16 ? kInputGroup : 1;
  const std::size_t row_group = use == Bf16Kernel::avx512_bf16 && batch == 1 ? kRowGroupOneInput : kRowGroup;
  const auto groups = static_cast<std::int64_t>((w.rows + row_group - 1) / row_group);
  // Row groups per thread: at least 16 (64 or 128 rows), so a small product does not pay for a parallel region.
  at::parallel_for(0, groups, 16, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t g = begin; g < end; ++g) {
      const std::size_t first = static_cast<std::size_t>(g) * row_group;
      const int count = static_cast<int>(std::min<std::size_t>(row_group, w.rows - first));
      for (std::size_t b = 0; b < batch; b += input_group)  // the rows stay in L1 across the batch
        rows(first, count, b, static_cast<int>(std::min(input_group, batch - b)));
    }
  });
  if (epilogue.out_bf16)
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t r = w.rows; r < out_ld; ++r) epilogue.out_bf16[b * out_ld + r] = 0;
}

}  // namespace spe::model::cpu
