#pragma once
// Small numeric helpers shared by the curve views (take curves, compare view, evaluation view).

#include <algorithm>
#include <cstddef>
#include <vector>

namespace spe::ui {

// Centred moving average over `window` values (shorter at the ends), in O(n).
inline std::vector<double> moving_average(const std::vector<double>& y, int window) {
  std::vector<double> out(y.size());
  std::vector<double> prefix(y.size() + 1, 0.0);
  for (std::size_t i = 0; i < y.size(); ++i) prefix[i + 1] = prefix[i] + y[i];
  const auto half = std::size_t(std::max(1, window) / 2);
  for (std::size_t i = 0; i < y.size(); ++i) {
    const std::size_t lo = i >= half ? i - half : 0, hi = std::min(y.size(), i + half + 1);
    out[i] = (prefix[hi] - prefix[lo]) / double(hi - lo);
  }
  return out;
}

}  // namespace spe::ui
