// `spe kernels --model DIR`: the templates of a saved model folder — its architecture rebuilt from
// model.json and its own weights loaded — equal the in-process kernel report of the saved model.
#include "torch_catch.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "io/checkpoint.hpp"
#include "io/module_loading.hpp"
#include "model/config.hpp"
#include "model/kernels.hpp"
#include "model/performer.hpp"
#include "spe_run.hpp"

using namespace spe;

namespace {

model::ModelConfig folder_config(model::PositionalKind pe) {
  model::ModelConfig c = model::small_config(pe);
  c.n_layers = 2;
  c.d_model = 64;
  c.n_heads = 2;
  c.d_ff = 128;
  c.spe.realizations = 32;
  c.spe.kernel_size = 16;
  return c;
}

// A random-weight model (seed ≠ 0, so it differs from the preset the command builds otherwise) saved
// as a model folder through the io API.
std::filesystem::path save_model_folder(const model::PerformerLM& m, const std::string& name) {
  const std::filesystem::path dir = test::scratch_dir(name) / "model";
  io::CheckpointMeta meta;
  meta.name = name;
  meta.architecture = model::to_json(m.config());
  meta.provenance = io::Provenance::now("test_cli_kernels_model");
  io::save_checkpoint(dir, io::module_tensors(m), meta);
  return dir;
}

}  // namespace

TEST_CASE("spe kernels --model reports the templates of the saved model's own weights") {
  for (model::PositionalKind pe : {model::PositionalKind::sine_spe, model::PositionalKind::conv_spe}) {
    INFO("pe " << model::to_string(pe));
    model::PerformerLM saved(folder_config(pe), /*init_seed=*/42);
    const auto dir = save_model_folder(saved, "kernels_model_" + model::to_string(pe));

    const auto run = test::run_spe_cli("kernels --model " + dir.string() + " --max-lag 20 --seed 3 --layer 1 --json");
    INFO(run.output.substr(0, 400));
    REQUIRE(run.status == 0);
    const auto json = nlohmann::json::parse(test::last_nonempty_line(run.output));
    CHECK(json.at("pe") == model::to_string(pe));
    CHECK(json.at("realizations") == 32);
    CHECK(json.at("gated") == true);

    model::KernelOptions options;
    options.max_lag = 20;
    options.seed = 3;
    options.layer = 1;
    const auto expected = model::to_json(model::kernel_report(saved, options), true);
    model::PerformerLM preset_weights(folder_config(pe), /*init_seed=*/0);
    const auto seed0 = model::to_json(model::kernel_report(preset_weights, options), true);
    double worst = 0.0, scale = 0.0, seed0_gap = 0.0;
    for (int h = 0; h < 2; ++h)
      for (int d = 0; d < 32; ++d)
        for (int lag = 0; lag <= 20; ++lag) {
          const double got = json.at("prescribed")[h][d][lag].get<double>();
          const double want = expected.at("prescribed")[h][d][lag].get<double>();
          worst = std::max(worst, std::abs(got - want));
          scale = std::max(scale, std::abs(want));
          seed0_gap = std::max(seed0_gap, std::abs(seed0.at("prescribed")[h][d][lag].get<double>() - want));
        }
    CHECK(worst <= 1e-9 * scale);
    CHECK(seed0_gap > 1e-3 * scale);  // the command really used the folder's weights
    CHECK(std::abs(json.at("rel_error").get<double>() - expected.at("rel_error").get<double>()) < 1e-9);
  }
}

TEST_CASE("spe kernels --model refuses bad folders with one clear line") {
  const auto missing = test::run_spe_cli("kernels --model /nonexistent/model-folder");
  CHECK(missing.status == 2);
  CHECK(missing.output.rfind("spe: ", 0) == 0);
  CHECK(missing.output.find("/nonexistent/model-folder") != std::string::npos);

  model::PerformerLM ape(folder_config(model::PositionalKind::ape_sine), 1);
  const auto ape_dir = save_model_folder(ape, "kernels_model_ape");
  const auto no_spe = test::run_spe_cli("kernels --model " + ape_dir.string());
  CHECK(no_spe.status == 2);
  CHECK(no_spe.output.find("not SPE") != std::string::npos);

  model::PerformerLM sine(folder_config(model::PositionalKind::sine_spe), 1);
  const auto sine_dir = save_model_folder(sine, "kernels_model_both");
  CHECK(test::run_spe_cli("kernels --model " + sine_dir.string() + " --config pop").status == 2);

  // Weights of another architecture: model.json says 3 layers, the weights hold 2.
  model::ModelConfig wrong = folder_config(model::PositionalKind::sine_spe);
  wrong.n_layers = 3;
  io::CheckpointMeta meta;
  meta.architecture = model::to_json(wrong);
  const auto wrong_dir = test::scratch_dir("kernels_model_wrong") / "model";
  io::save_checkpoint(wrong_dir, io::module_tensors(sine), meta);
  const auto mismatch = test::run_spe_cli("kernels --model " + wrong_dir.string());
  CHECK(mismatch.status == 2);
  CHECK(mismatch.output.find("missing") != std::string::npos);
}
