#include "plot/colormap.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

namespace spe::plot {
namespace {

// matplotlib's viridis at t = 0, 0.1, …, 1 (#440154 … #fde725).
constexpr std::array<Rgb, 11> kViridis{{{68, 1, 84},
                                        {72, 36, 117},
                                        {65, 68, 135},
                                        {53, 95, 141},
                                        {42, 120, 142},
                                        {33, 145, 140},
                                        {34, 168, 132},
                                        {68, 191, 112},
                                        {122, 209, 81},
                                        {189, 223, 38},
                                        {253, 231, 37}}};

std::uint8_t mix(std::uint8_t a, std::uint8_t b, double f) {
  return static_cast<std::uint8_t>(std::lround(a + (static_cast<double>(b) - a) * f));
}

}  // namespace

Rgb heat_colour(double t) {
  if (!(t > 0.0)) return kViridis.front();  // also NaN
  if (t >= 1.0) return kViridis.back();
  const double x = t * static_cast<double>(kViridis.size() - 1);
  const auto i = static_cast<std::size_t>(x);  // 0 … size − 2
  const double f = x - static_cast<double>(i);
  const Rgb& a = kViridis[i];
  const Rgb& b = kViridis[i + 1];
  return {mix(a.r, b.r, f), mix(a.g, b.g, f), mix(a.b, b.b, f)};
}

double attention_scale(double weight, std::int64_t row_length) {
  if (!(weight > 0.0)) return 0.0;  // also NaN
  const double n = static_cast<double>(std::max<std::int64_t>(row_length, 1));
  return std::clamp(std::log1p(weight * n) / std::log1p(n), 0.0, 1.0);
}

std::vector<Rgb> attention_image(const std::vector<float>& weights, std::int64_t size) {
  if (size < 0 || static_cast<std::uint64_t>(weights.size()) != static_cast<std::uint64_t>(size) * size)
    throw std::invalid_argument("attention_image: " + std::to_string(weights.size()) + " weights are not a " +
                                std::to_string(size) + " x " + std::to_string(size) + " window");
  std::vector<Rgb> pixels(weights.size(), kMaskedCell);
  for (std::int64_t i = 0; i < size; ++i)
    for (std::int64_t j = 0; j <= i; ++j) {
      const auto k = static_cast<std::size_t>(i * size + j);
      pixels[k] = heat_colour(attention_scale(weights[k], i + 1));
    }
  return pixels;
}

}  // namespace spe::plot
