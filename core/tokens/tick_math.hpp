#pragma once
// Integer rounding helpers shared by the tokenizers (ticks are never negative in a valid score).

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <vector>

namespace spe::tokens {

// t * to / from rounded to the nearest integer, halves up (exact in integer arithmetic).
inline std::int64_t rescale_ticks(std::int64_t t, std::int64_t from, std::int64_t to) {
  if (from == to) return t;
  return (2 * t * to + from) / (2 * from);
}

// Nearest multiple of `step`, halves up.
inline std::int64_t round_to_multiple(std::int64_t t, std::int64_t step) { return (t + step / 2) / step * step; }

// Nearest multiple of `step`, halves down.
inline std::int64_t round_to_multiple_ties_down(std::int64_t t, std::int64_t step) {
  return (t + (step - 1) / 2) / step * step;
}

// The element of the ascending `bins` nearest to `x`; ties go to the lower bin (argmin semantics).
template <typename T>
int nearest_bin(const std::vector<int>& bins, T x) {
  int best = bins.front();
  for (int b : bins)
    if (std::abs(static_cast<double>(b) - static_cast<double>(x)) < std::abs(static_cast<double>(best) - static_cast<double>(x)))
      best = b;
  return best;
}

}  // namespace spe::tokens
