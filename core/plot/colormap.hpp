#pragma once
// Colours of the attention figures (paper Fig. 1): a perceptually uniform dark-to-bright colour map, the
// log-like display scaling of attention probabilities (paper appendix D.1) and the whole heatmap image of
// a causal attention window. Plain C++ (no Qt, no torch) so that the CLI and the GUI draw the same colours.

#include <cstdint>
#include <vector>

namespace spe::plot {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  friend bool operator==(const Rgb&, const Rgb&) = default;
};

// Viridis-like map: t = 0 dark purple, 0.5 teal, 1 bright yellow; linear interpolation between 11 control
// points of matplotlib's viridis (sRGB), rounded to bytes. t is clamped to [0, 1]; NaN counts as 0. The
// luminance rises monotonically with t (strictly at steps of 0.01; between closer t, up to the rounding of
// one channel to 8 bits).
Rgb heat_colour(double t);

// Colour of a masked (future, j > i) cell of a causal attention image: a neutral dark grey that is not a
// colour of heat_colour (whose darkest colour is purple).
inline constexpr Rgb kMaskedCell{40, 40, 40};

// Display scaling of an attention probability `weight` in a causal row of `row_length` keys (n ≥ 1):
//   t = clamp(log(1 + w·n) / log(1 + n), 0, 1).
// w = 0 → 0; uniform attention w = 1/n → log 2 / log(1 + n); all attention on one key, w = 1 → 1.
// Monotone in w; rows of different lengths are comparable relative to their uniform level. NaN → 0;
// row_length < 1 is treated as 1.
double attention_scale(double weight, std::int64_t row_length);

// The heatmap of a causal attention window of `size` × `size` cells, row-major (row = query position,
// column = key position, both relative to the window): cell (i, j ≤ i) is
// heat_colour(attention_scale(w_ij, i + 1)) (row i of the window has i + 1 keys), cells j > i are
// kMaskedCell. Throws std::invalid_argument unless weights.size() == size².
std::vector<Rgb> attention_image(const std::vector<float>& weights, std::int64_t size);

}  // namespace spe::plot
