#pragma once
// 8-bit RGB PNG files through libpng (its simplified png_image API). Writes are atomic: the image is encoded
// in memory, written to a temporary file in the target's folder, flushed to disk and renamed over the target,
// so a reader never sees a torn file. Every failure is a std::runtime_error with one line naming the file.

#include <filesystem>
#include <vector>

#include "plot/colormap.hpp"

namespace spe::plot {

// Row-major pixels, top row first; pixels.size() must be width × height (both ≥ 1).
void write_png_rgb(const std::filesystem::path& path, int width, int height, const std::vector<Rgb>& pixels);

struct RgbImage {
  int width = 0, height = 0;
  std::vector<Rgb> pixels;  // row-major, top row first
};

// Any PNG libpng reads, converted to 8-bit RGB (alpha composited on black, grey expanded).
RgbImage read_png_rgb(const std::filesystem::path& path);

}  // namespace spe::plot
