// core/plot: the heat colour map, the attention display scaling, attention images and PNG files.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <vector>

#include "plot/colormap.hpp"
#include "plot/png_writer.hpp"
#include "test_paths.hpp"

using namespace spe;
using plot::Rgb;
namespace fs = std::filesystem;

namespace {

// Relative luminance of an sRGB colour (linearised channels, Rec. 709 weights).
double luminance(const Rgb& c) {
  auto lin = [](std::uint8_t v) {
    const double x = v / 255.0;
    return x <= 0.04045 ? x / 12.92 : std::pow((x + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

}  // namespace

TEST_CASE("heat_colour: viridis endpoints, clamped, luminance rising with t") {
  CHECK(plot::heat_colour(0.0) == Rgb{68, 1, 84});
  CHECK(plot::heat_colour(1.0) == Rgb{253, 231, 37});
  CHECK(plot::heat_colour(0.5) == Rgb{33, 145, 140});
  CHECK(plot::heat_colour(-3.0) == plot::heat_colour(0.0));
  CHECK(plot::heat_colour(7.0) == plot::heat_colour(1.0));
  CHECK(plot::heat_colour(std::nan("")) == plot::heat_colour(0.0));
  // Strictly rising luminance at steps of 0.01 …
  double previous = -1.0;
  for (int i = 0; i <= 100; ++i) {
    const double y = luminance(plot::heat_colour(i / 100.0));
    INFO("t " << i / 100.0 << " luminance " << y << " after " << previous);
    CHECK(y > previous);
    previous = y;
  }
  // … and at steps of 0.001 never falling by more than 8-bit rounding of one channel (5e-4).
  previous = -1.0;
  for (int i = 0; i <= 1000; ++i) {
    const Rgb c = plot::heat_colour(i / 1000.0);
    const double y = luminance(c);
    INFO("t " << i / 1000.0 << " luminance " << y << " after " << previous);
    CHECK(y >= previous - 5e-4);
    previous = std::max(previous, y);
    CHECK_FALSE(c == plot::kMaskedCell);  // the masked grey is never a colour of the map
  }
  CHECK(luminance(plot::heat_colour(1.0)) > 10 * luminance(plot::heat_colour(0.0)));
}

TEST_CASE("attention_scale: 0 to 0, 1 to 1, uniform to log 2 / log(1 + n), monotone") {
  for (std::int64_t n : {1, 2, 7, 64, 512, 4096}) {
    INFO("row length " << n);
    CHECK(plot::attention_scale(0.0, n) == 0.0);
    CHECK(plot::attention_scale(1.0, n) == Approx(1.0).epsilon(1e-15));
    CHECK(plot::attention_scale(1.0 / n, n) == Approx(std::log(2.0) / std::log1p(double(n))));
    CHECK(plot::attention_scale(-0.5, n) == 0.0);
    CHECK(plot::attention_scale(2.0, n) == 1.0);
    CHECK(plot::attention_scale(std::nan(""), n) == 0.0);
    double previous = -1.0;
    for (int i = 0; i <= 1000; ++i) {
      const double t = plot::attention_scale(i / 1000.0, n);
      CHECK(t >= previous);
      CHECK(t >= 0.0);
      CHECK(t <= 1.0);
      previous = t;
    }
  }
  CHECK(plot::attention_scale(1.0, 0) == 1.0);  // row length < 1 counts as 1
}

TEST_CASE("attention_image: causal cells coloured by their row's scaling, future cells masked") {
  const std::int64_t size = 3;
  const std::vector<float> w{1.0f, 0.0f, 0.0f,  //
                             0.25f, 0.75f, 0.0f,  //
                             0.2f, 0.3f, 0.5f};
  const auto image = plot::attention_image(w, size);
  REQUIRE(image.size() == 9u);
  CHECK(image[0] == plot::heat_colour(1.0));
  CHECK(image[1] == plot::kMaskedCell);
  CHECK(image[2] == plot::kMaskedCell);
  CHECK(image[3] == plot::heat_colour(plot::attention_scale(0.25, 2)));
  CHECK(image[4] == plot::heat_colour(plot::attention_scale(0.75, 2)));
  CHECK(image[5] == plot::kMaskedCell);
  for (int j = 0; j < 3; ++j) CHECK(image[6 + j] == plot::heat_colour(plot::attention_scale(w[6 + j], 3)));
  CHECK_THROWS_AS(plot::attention_image(w, 4), std::invalid_argument);
  CHECK(plot::attention_image({}, 0).empty());
}

TEST_CASE("PNG: write then read gives the same pixels, atomically, errors name the file") {
  const fs::path dir = test::scratch_dir("plot-png");
  const int width = 37, height = 11;  // odd sizes: rows are not padded
  std::vector<Rgb> pixels;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      pixels.push_back({static_cast<std::uint8_t>(7 * x), static_cast<std::uint8_t>(23 * y),
                        static_cast<std::uint8_t>((x * y) % 256)});
  const fs::path file = dir / "round trip.png";
  plot::write_png_rgb(file, width, height, pixels);
  const plot::RgbImage back = plot::read_png_rgb(file);
  CHECK(back.width == width);
  CHECK(back.height == height);
  CHECK(back.pixels == pixels);
  // Overwriting replaces the file; no temporary file is left beside it.
  const std::vector<Rgb> one{{1, 2, 3}};
  plot::write_png_rgb(file, 1, 1, one);
  CHECK(plot::read_png_rgb(file).pixels == one);
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
  CHECK(entries == 1);

  CHECK_THROWS_WITH(plot::write_png_rgb(dir / "no-such-folder" / "x.png", 1, 1, one), Catch::Contains("x.png"));
  CHECK_THROWS_WITH(plot::write_png_rgb(dir / "wrong.png", 2, 2, one), Catch::Contains("wrong.png"));
  CHECK_THROWS_WITH(plot::write_png_rgb(dir / "empty.png", 0, 1, {}), Catch::Contains("empty.png"));
  CHECK_FALSE(fs::exists(dir / "wrong.png"));
  {
    std::ofstream(dir / "not-a.png") << "this is text";
  }
  CHECK_THROWS_WITH(plot::read_png_rgb(dir / "not-a.png"), Catch::Contains("not-a.png"));
  CHECK_THROWS_WITH(plot::read_png_rgb(dir / "missing.png"), Catch::Contains("missing.png"));
}
