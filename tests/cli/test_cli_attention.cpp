// `spe attention` end to end on the bundled pop-sine model: a take longer than the training length, a window
// across it, PNG + CSV written; the PNG's pixels are the CSV's cells, the CSV's rows are causal and
// row-stochastic and equal the engine's Model::attention on the take's tokens (from the --sidecar of
// `spe generate`); bad options exit 2 with one line.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "generate/model.hpp"
#include "generate/seed.hpp"
#include "plot/colormap.hpp"
#include "plot/png_writer.hpp"
#include "spe_run.hpp"
#include "test_paths.hpp"

namespace fs = std::filesystem;
using namespace spe;

namespace {

struct Csv {
  std::string header;
  std::vector<float> cells;  // row-major
  std::int64_t rows = 0, cols = 0;
};

Csv read_csv(const fs::path& path) {
  std::ifstream in(path);
  Csv csv;
  std::getline(in, csv.header);
  std::string line;
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string cell;
    std::int64_t cols = 0;
    while (std::getline(row, cell, ',')) {
      csv.cells.push_back(std::stof(cell));
      ++cols;
    }
    if (csv.rows == 0) csv.cols = cols;
    REQUIRE(cols == csv.cols);
    ++csv.rows;
  }
  return csv;
}

test::ProgramRun spe_run(const std::string& args, const fs::path& xdg) {
  return test::run_spe_cli(args, {.env = "XDG_DATA_HOME=" + test::shell_quote(xdg), .separate_stderr = true});
}

std::string q(const fs::path& p) { return test::shell_quote(p); }

}  // namespace

TEST_CASE("spe attention: PNG pixels are the CSV cells, rows are causal and sum to one, equal to the engine",
          "[integration]") {
  const fs::path dir = test::scratch_dir("cli-attention");
  const fs::path model_dir = test::source_dir() / "resources" / "models" / "pop-sine";
  const generate::ModelInfo info = generate::read_model_info(model_dir);
  const std::int64_t train_len = info.train_len;
  REQUIRE(train_len == 512);

  // A take past the training length, with its tokens in the sidecar.
  const fs::path take = dir / "take.mid";
  const auto gen = spe_run("generate --model pop-sine --tokens 580 --seed 11 --threads 1 --sidecar -o " + q(take), dir);
  INFO(gen.error);
  REQUIRE(gen.status == 0);
  std::ifstream side_in(dir / "take.json");
  const auto sidecar = nlohmann::json::parse(side_in);
  const auto tokens = sidecar.at("tokens").get<std::vector<int>>();
  const auto n = static_cast<std::int64_t>(tokens.size());
  REQUIRE(n > train_len);
  const std::uint64_t model_seed = generate::derive_seed(sidecar.at("recipe").at("seed").get<std::uint64_t>(), "model");

  const std::int64_t begin = 450, size = n - begin;  // across the training length
  const fs::path png = dir / "mean.png", csv_file = dir / "mean.csv";
  const auto run = spe_run("attention --take " + q(take) + " --threads 1 --begin 450 -o " + q(png) + " --csv " +
                               q(csv_file), dir);
  INFO(run.output << run.error);
  REQUIRE(run.status == 0);
  CHECK_THAT(run.output, Catch::Contains("mean over 4 heads"));
  CHECK_THAT(run.output, Catch::Contains("training length 512 at row/column " + std::to_string(train_len - begin)));
  CHECK(std::count(run.output.begin(), run.output.end(), '\n') == 1);

  const Csv csv = read_csv(csv_file);
  CHECK(csv.header == "# model=" + info.id() + " layer=0 head=mean begin=450 end=" + std::to_string(n) +
                          " train_len=512");
  REQUIRE(csv.rows == size);
  REQUIRE(csv.cols == size);
  for (std::int64_t i = 0; i < size; ++i) {
    double row = 0.0;
    bool future_zero = true;
    for (std::int64_t j = 0; j < size; ++j) {
      const float w = csv.cells[std::size_t(i * size + j)];
      if (j <= i)
        row += w;
      else
        future_zero = future_zero && w == 0.0f;
    }
    INFO("row " << i);
    CHECK(future_zero);
    CHECK(std::abs(row - 1.0) <= 1e-6);
  }

  const plot::RgbImage image = plot::read_png_rgb(png);
  CHECK(image.width == size);
  CHECK(image.height == size);
  CHECK(image.pixels == plot::attention_image(csv.cells, size));

  // The engine on the take's own tokens and model seed: the same mean window, and the mean of its 4 heads.
  generate::set_compute_threads(1);
  const auto model = generate::Model::load(model_dir);
  REQUIRE(model->heads() == 4);
  const auto mean = model->attention(tokens, model_seed, 0, generate::AttentionWindow::kMeanOverHeads, begin, n);
  std::vector<generate::AttentionWindow> heads;
  for (int h = 0; h < model->heads(); ++h) heads.push_back(model->attention(tokens, model_seed, 0, h, begin, n));
  double worst_mean = 0.0, worst_heads = 0.0;
  for (std::size_t k = 0; k < csv.cells.size(); ++k) {
    worst_mean = std::max(worst_mean, double(std::abs(csv.cells[k] - mean.weights[k])));
    double sum = 0.0;
    for (const auto& w : heads) sum += w.weights[k];
    worst_heads = std::max(worst_heads, std::abs(csv.cells[k] - sum / model->heads()));
  }
  CHECK(worst_mean <= 1e-6);
  CHECK(worst_heads <= 1e-6);

  // --head 0 alone, as a CSV: the engine's head 0, not the mean.
  const fs::path head0 = dir / "head0.csv";
  const auto run0 = spe_run("attention --take " + q(take) + " --threads 1 --head 0 --begin 450 -o " + q(head0), dir);
  INFO(run0.output << run0.error);
  REQUIRE(run0.status == 0);
  const Csv h0 = read_csv(head0);
  CHECK_THAT(h0.header, Catch::Contains("head=0 begin=450"));
  REQUIRE(h0.cells.size() == heads[0].weights.size());
  double worst0 = 0.0, gap = 0.0;
  for (std::size_t k = 0; k < h0.cells.size(); ++k) {
    worst0 = std::max(worst0, double(std::abs(h0.cells[k] - heads[0].weights[k])));
    gap = std::max(gap, double(std::abs(h0.cells[k] - csv.cells[k])));
  }
  CHECK(worst0 <= 1e-6);
  CHECK(gap > 1e-3);

  // Default window: the last min(512, N) tokens.
  const fs::path last = dir / "last.csv";
  const auto run_last = spe_run("attention --take " + q(take) + " --threads 1 --layer 5 -o " + q(last), dir);
  INFO(run_last.error);
  REQUIRE(run_last.status == 0);
  CHECK(read_csv(last).header == "# model=" + info.id() + " layer=5 head=mean begin=" + std::to_string(n - 512) +
                                     " end=" + std::to_string(n) + " train_len=512");
}

TEST_CASE("spe attention: bad layer, head, window or files exit 2 with one line", "[integration]") {
  const fs::path dir = test::scratch_dir("cli-attention-errors");
  const fs::path take = dir / "take.mid";
  const auto gen = spe_run("generate --model pop-sine --tokens 40 --seed 3 --threads 1 -o " + q(take), dir);
  REQUIRE(gen.status == 0);
  const fs::path out = dir / "out.png";
  auto expect_usage_error = [&](const std::string& args, const std::string& needle) {
    const auto r = spe_run("attention --threads 1 " + args, dir);
    INFO(args << "\n" << r.error);
    CHECK(r.status == 2);
    CHECK_THAT(r.error, Catch::Contains(needle));
    CHECK(r.error.rfind("spe: ", 0) == 0);
    CHECK(std::count(r.error.begin(), r.error.end(), '\n') == 1);
    CHECK(!fs::exists(out));
  };
  expect_usage_error("--take " + q(take) + " --layer 6 -o " + q(out), "--layer 6");
  expect_usage_error("--take " + q(take) + " --layer -1 -o " + q(out), "layers 0 to 5");
  expect_usage_error("--take " + q(take) + " --head 4 -o " + q(out), "heads 0 to 3");
  expect_usage_error("--take " + q(take) + " --head 1 --mean -o " + q(out), "not both");
  expect_usage_error("--take " + q(take) + " --begin 30 --end 20 -o " + q(out), "window [30, 20)");
  expect_usage_error("--take " + q(take) + " --end 5000 -o " + q(out), "is not inside the take's");
  expect_usage_error("--take " + q(take) + " -o " + q(dir / "out.txt"), "out.txt");
  expect_usage_error("--take " + q(take) + " -o " + q(dir / "missing" / "out.png"), "does not exist");
  // A MIDI file without a recipe.
  const fs::path plain = test::source_dir() / "resources" / "prompts" / "pop909_001.mid";
  expect_usage_error("--take " + q(plain) + " -o " + q(out), "pop909_001.mid: holds no spe-studio recipe");
}
