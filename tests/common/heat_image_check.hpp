#pragma once
// Checking a heatmap image against the values it draws: each pixel must be heat_colour of its value min-max
// normalised over the whole grid (how `spe kernels --png` and the templates dock colour them). Header-only
// and free of Qt and libpng: each test decodes its image its own way and hands over a pixel accessor.

#include <algorithm>
#include <cstdint>
#include <limits>

#include "plot/colormap.hpp"

namespace spe::test {

struct HeatImageCheck {
  double lo = 0.0, hi = 0.0;  // range of the values over the whole grid
  int mismatches = 0;         // compared pixels whose colour is not the value's
};

// value(r, c) -> double, pixel(r, c) -> plot::Rgb, for rows × cols cells; the range is taken over every cell,
// the colours compared at every `row_step`-th row and `col_step`-th column.
template <class Value, class Pixel>
HeatImageCheck check_heat_image(std::int64_t rows, std::int64_t cols, Value&& value, Pixel&& pixel,
                                std::int64_t row_step = 1, std::int64_t col_step = 1) {
  HeatImageCheck out{std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(), 0};
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) {
      const double v = value(r, c);
      out.lo = std::min(out.lo, v);
      out.hi = std::max(out.hi, v);
    }
  for (std::int64_t r = 0; r < rows; r += row_step)
    for (std::int64_t c = 0; c < cols; c += col_step)
      if (!(pixel(r, c) == plot::heat_colour((value(r, c) - out.lo) / (out.hi - out.lo)))) ++out.mismatches;
  return out;
}

}  // namespace spe::test
