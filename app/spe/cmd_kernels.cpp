// `spe kernels`: the positional templates P_d(δ) an SPE model prescribes and how well R realisations of
// its codes reproduce them (SPE.md §6.1). With --json the last line is one JSON object carrying the
// templates and {"pe", "realizations", "rel_error", …}. With --model DIR the model is the one of a model
// folder (model.json's architecture, model.safetensors' weights) instead of a seed-0 preset. --png writes
// the templates as an image (templates_image: one row per (head, dim), one column per lag), --csv as a
// table with one row per (head, dim, lag).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "io/atomic_file.hpp"
#include "model/config.hpp"
#include "model/kernels.hpp"
#include "model/performer.hpp"
#include "model_folder/model_folder.hpp"
#include "plot/colormap.hpp"
#include "plot/png_writer.hpp"

namespace {

struct KernelsArgs {
  std::string model_dir;
  std::string config = "pop";
  std::string pe = "sine";
  int realizations = 0;
  std::int64_t max_lag = 128;
  std::uint64_t seed = 0;
  int layer = 0;
  std::int64_t key_position = 0;
  bool ungated = false;
  bool json = false;
  std::string png, csv;
};

// The image of --png: row h·dims + d (head h, feature dim d), column δ (lag), pixel
// heat_colour((P_hd(δ) − min) / (max − min)) of the prescribed templates, min and max over the whole image
// (one colour scale for every head, dim and lag; all-equal templates are drawn as heat_colour(0)).
std::vector<spe::plot::Rgb> templates_image(const spe::model::KernelReport& report) {
  const auto [lo, hi] = std::minmax_element(report.prescribed.begin(), report.prescribed.end());
  const double range = *hi - *lo;
  std::vector<spe::plot::Rgb> pixels;
  pixels.reserve(report.prescribed.size());
  for (double v : report.prescribed) pixels.push_back(spe::plot::heat_colour(range > 0 ? (v - *lo) / range : 0.0));
  return pixels;
}

std::string csv_text(const spe::model::KernelReport& report) {
  std::string text = "head,dim,lag,prescribed,estimated\n";
  char line[96];
  for (int h = 0; h < report.heads; ++h)
    for (int d = 0; d < report.dims; ++d)
      for (std::int64_t lag = 0; lag <= report.max_lag; ++lag) {
        std::snprintf(line, sizeof line, "%d,%d,%lld,%.17g,%.17g\n", h, d, static_cast<long long>(lag),
                      report.prescribed_at(h, d, lag), report.estimated_at(h, d, lag));
        text += line;
      }
  return text;
}

void print_text(const spe::model::KernelReport& report) {
  std::printf("%s kernel, %s, R = %d, key at position %lld (head means over %d dims)\n", report.pe.c_str(),
              report.gated ? "gated" : "ungated", report.realizations, static_cast<long long>(report.key_position),
              report.dims);
  for (int h = 0; h < report.heads; ++h) {
    std::printf("head %d\n  %8s %14s %14s\n", h, "lag", "prescribed", "estimated");
    // Lags 0, 1, 2, 4, 8, … and the last one keep the table short at any --max-lag.
    for (std::int64_t lag = 0; lag <= report.max_lag; lag = lag == 0 ? 1 : lag * 2) {
      double p = 0.0, e = 0.0;
      for (int d = 0; d < report.dims; ++d) {
        p += report.prescribed_at(h, d, lag);
        e += report.estimated_at(h, d, lag);
      }
      std::printf("  %8lld %14.6f %14.6f\n", static_cast<long long>(lag), p / report.dims, e / report.dims);
      if (lag * 2 > report.max_lag && lag != report.max_lag) {
        lag = report.max_lag;
        p = e = 0.0;
        for (int d = 0; d < report.dims; ++d) {
          p += report.prescribed_at(h, d, lag);
          e += report.estimated_at(h, d, lag);
        }
        std::printf("  %8lld %14.6f %14.6f\n", static_cast<long long>(lag), p / report.dims, e / report.dims);
        break;
      }
    }
  }
  std::printf("relative Frobenius error over all heads, dims and lags 0…%lld: %.4f  (× sqrt(R) = %.3f)\n",
              static_cast<long long>(report.max_lag), report.rel_error,
              report.rel_error * std::sqrt(static_cast<double>(report.realizations)));
}

// The model of a model folder (model_folder::load: architecture from model.json, all weights with matching
// shapes; errors name the file). Its tokenizer is not needed, and model.json need not have one.
std::shared_ptr<spe::model::PerformerLM> load_spe_model(const std::string& dir) {
  namespace sm = spe::model;
  spe::model_folder::LoadedModel loaded = spe::model_folder::load(dir, {.load_tokenizer = false});
  if (!loaded.config.uses_spe())
    throw spe::cli::UsageError("kernels: " + dir + ": the model uses " + sm::to_string(loaded.config.pe) +
                               ", not SPE: it has no positional templates");
  return std::move(loaded.model);
}

void run(const KernelsArgs& args) {
  namespace sm = spe::model;
  std::shared_ptr<sm::PerformerLM> owned;
  if (!args.model_dir.empty()) {
    owned = load_spe_model(args.model_dir);
  } else {
    const sm::PositionalKind pe = sm::positional_kind_from_string(args.pe);
    if (pe != sm::PositionalKind::sine_spe && pe != sm::PositionalKind::conv_spe)
      throw spe::cli::UsageError("kernels: --pe must be sine or conv (got '" + args.pe + "')");
    sm::ModelConfig config = sm::preset_config(args.config, pe);
    if (args.ungated) config.spe.gated = false;
    owned = std::make_shared<sm::PerformerLM>(config, /*init_seed=*/0);
  }
  sm::PerformerLM& model = *owned;
  sm::KernelOptions options;
  options.realizations = args.realizations;
  options.max_lag = args.max_lag;
  options.seed = args.seed;
  options.layer = args.layer;
  options.key_position = args.key_position;
  const sm::KernelReport report = sm::kernel_report(model, options);
  if (!args.png.empty())
    spe::plot::write_png_rgb(args.png, static_cast<int>(report.max_lag + 1), report.heads * report.dims,
                             templates_image(report));
  if (!args.csv.empty()) spe::io::write_file_atomically(args.csv, csv_text(report));
  if (args.json)
    std::cout << sm::to_json(report, /*with_templates=*/true).dump() << "\n";
  else
    print_text(report);
}

spe::cli::RegisterCommand reg([](CLI::App& root) {
  auto args = std::make_shared<KernelsArgs>();
  auto* cmd = root.add_subcommand("kernels", "SPE positional templates P_d(δ): prescribed vs Monte-Carlo estimate");
  auto* model_dir = cmd->add_option("--model", args->model_dir,
                                    "model folder (model.json + model.safetensors) instead of a preset");
  cmd->add_option("--config", args->config, "model preset: pop, groove or small (initialised with seed 0)")
      ->check(CLI::IsMember({"pop", "groove", "small"}))
      ->excludes(model_dir);
  cmd->add_option("--pe", args->pe, "positional encoding of the preset: sine or conv")->excludes(model_dir);
  cmd->add_option("--realizations,-R", args->realizations, "realisations R of the estimate (default: the model's)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-lag", args->max_lag, "largest lag δ (default 128)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", args->seed, "noise seed of the estimate (default 0)");
  cmd->add_option("--layer", args->layer, "layer whose gate (and generator) is used (default 0)");
  cmd->add_option("--key-position", args->key_position, "position of the key (default 0)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--ungated", args->ungated, "build the preset with ungated SPE filters")->excludes(model_dir);
  cmd->add_flag("--json", args->json, "print one JSON object with the templates and the error");
  cmd->add_option("--png", args->png,
                  "write the prescribed templates as a PNG: one row per (head, dim) (row = head × dims + dim), one "
                  "column per lag 0…max-lag, colour = viridis of the value min-max normalised over the image")
      ->check([](const std::string& s) {
        return s.size() > 4 && s.substr(s.size() - 4) == ".png" ? std::string() : "the file name must end in .png";
      });
  cmd->add_option("--csv", args->csv, "write the templates as CSV: head,dim,lag,prescribed,estimated")
      ->check([](const std::string& s) {
        return s.size() > 4 && s.substr(s.size() - 4) == ".csv" ? std::string() : "the file name must end in .csv";
      });
  cmd->callback([args] { run(*args); });
});

}  // namespace
