// `spe kernels --model DIR --png OUT.png --csv OUT.csv`: the PNG has one row per (head, dim) and one column
// per lag, and each pixel is the colour of the JSON's prescribed value min-max normalised over the image;
// the CSV holds the same prescribed and estimated values as the JSON.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "heat_image_check.hpp"
#include "plot/colormap.hpp"
#include "plot/png_writer.hpp"
#include "spe_run.hpp"

using namespace spe;
namespace fs = std::filesystem;

TEST_CASE("spe kernels --png draws the templates of a bundled model, one pixel per head, dim and lag") {
  for (const char* name : {"pop-sine", "pop-conv"}) {
    INFO(name);
    const fs::path dir = test::scratch_dir(std::string("kernels_png_") + name);
    const fs::path png = dir / "templates.png", csv = dir / "templates.csv";
    const fs::path model = test::source_dir() / "resources" / "models" / name;
    constexpr int kMaxLag = 60;
    const auto run = test::run_spe_cli("kernels --model " + test::shell_quote(model) + " --max-lag " +
                                       std::to_string(kMaxLag) + " --layer 3 --json --png " +
                                       test::shell_quote(png) + " --csv " + test::shell_quote(csv));
    INFO(run.output.substr(0, 400));
    REQUIRE(run.status == 0);
    const auto json = nlohmann::json::parse(test::last_nonempty_line(run.output));
    const int heads = json.at("heads"), dims = json.at("dims");
    REQUIRE(heads == 4);
    REQUIRE(dims == 64);

    const plot::RgbImage image = plot::read_png_rgb(png);
    REQUIRE(image.width == kMaxLag + 1);
    REQUIRE(image.height == heads * dims);
    // Row h·dims + d, column lag; every pixel compared.
    const auto check = test::check_heat_image(
        heads * dims, kMaxLag + 1,
        [&](std::int64_t row, std::int64_t lag) {
          return json.at("prescribed")[std::size_t(row / dims)][std::size_t(row % dims)][std::size_t(lag)]
              .get<double>();
        },
        [&](std::int64_t row, std::int64_t lag) { return image.pixels[std::size_t(row * image.width + lag)]; });
    REQUIRE(check.hi > check.lo);
    CHECK(check.mismatches == 0);
    // The image is not flat: both ends of the colour map occur.
    CHECK(std::count(image.pixels.begin(), image.pixels.end(), plot::heat_colour(0.0)) >= 1);
    CHECK(std::count(image.pixels.begin(), image.pixels.end(), plot::heat_colour(1.0)) >= 1);

    std::ifstream in(csv);
    std::string line;
    REQUIRE(std::getline(in, line));
    CHECK(line == "head,dim,lag,prescribed,estimated");
    std::size_t rows = 0;
    double worst = 0.0;
    while (std::getline(in, line)) {
      std::stringstream cells(line);
      std::string cell;
      std::vector<double> v;
      while (std::getline(cells, cell, ',')) v.push_back(std::stod(cell));
      REQUIRE(v.size() == 5);
      const auto h = std::size_t(v[0]), d = std::size_t(v[1]), lag = std::size_t(v[2]);
      worst = std::max(worst, std::abs(v[3] - json.at("prescribed")[h][d][lag].get<double>()));
      worst = std::max(worst, std::abs(v[4] - json.at("estimated")[h][d][lag].get<double>()));
      ++rows;
    }
    CHECK(rows == std::size_t(heads * dims * (kMaxLag + 1)));
    CHECK(worst < 1e-12);
  }
}

TEST_CASE("spe kernels --png and --csv refuse other file names") {
  const fs::path model = test::source_dir() / "resources" / "models" / "pop-sine";
  CHECK(test::run_spe_cli("kernels --model " + test::shell_quote(model) + " --png out.jpg").status != 0);
  CHECK(test::run_spe_cli("kernels --model " + test::shell_quote(model) + " --csv out.txt").status != 0);
}
