// `spe attention --take TAKE.mid -o OUT.png|OUT.csv [--csv OUT.csv]`: the attention a take saw (paper Fig. 1):
// softmax(Q̂K̂ᵀ) of one layer and head (or the mean over the layer's heads) over a window of the take's tokens,
// as a heatmap PNG (one pixel per cell: row = query, column = key, future cells masked; colours from
// plot::attention_image) and/or a CSV of the weights.
//
// The take's tokens and model seed are recovered by re-running its recipe exactly as `spe generate --recipe`
// does (recipe_replay.hpp), so the attention is that of the noise the take was generated with.
//
// CSV: a header line `# model=<id> layer=<L> head=<H|mean> begin=<B> end=<E> train_len=<T>`, then one line
// per query position of the window with its W comma-separated weights (%.9g: the float32 values exactly),
// future cells 0. The PNG's pixels are attention_image() of exactly these values.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "command.hpp"
#include "generate/model.hpp"
#include "io/atomic_file.hpp"
#include "plot/colormap.hpp"
#include "plot/png_writer.hpp"
#include "recipe_replay.hpp"

namespace spe::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kDefaultWindow = 512;
constexpr std::int64_t kMaxWindow = 4096;  // 16.8 M cells; the float64 scores of one head are 134 MB

struct Options {
  std::string take;
  std::string model;
  int layer = 0;
  std::optional<int> head;
  bool mean = false;
  std::optional<std::int64_t> begin, end;
  std::string device = "cpu";
  int threads = 0;
  std::string out;
  std::string csv;
};

std::string lower_extension(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return e;
}

void check_folder(const fs::path& out) {
  const fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
  if (!fs::is_directory(parent))
    throw UsageError("cannot write " + out.string() + ": folder " + parent.string() + " does not exist");
}

std::string csv_text(const generate::AttentionWindow& w, const std::string& model_id, std::int64_t train_len) {
  const std::int64_t n = w.end - w.begin;
  std::string text = "# model=" + model_id + " layer=" + std::to_string(w.layer) +
                     " head=" + (w.head == generate::AttentionWindow::kMeanOverHeads ? std::string("mean")
                                                                                     : std::to_string(w.head)) +
                     " begin=" + std::to_string(w.begin) + " end=" + std::to_string(w.end) +
                     " train_len=" + std::to_string(train_len) + "\n";
  text.reserve(text.size() + static_cast<std::size_t>(n * n) * 12);
  char cell[32];
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      if (j > 0) text.push_back(',');
      if (j > i) {
        text.push_back('0');
      } else {
        std::snprintf(cell, sizeof cell, "%.9g", static_cast<double>(w.at(i, j)));
        text.append(cell);
      }
    }
    text.push_back('\n');
  }
  return text;
}

void run_attention(const Options& o) {
  if (o.threads < 0) throw UsageError("--threads must be >= 0");
  if (o.head && o.mean) throw UsageError("give --head H or --mean, not both");
  const fs::path out(o.out);
  const std::string kind = lower_extension(out);
  if (kind != ".png" && kind != ".csv") throw UsageError("-o " + o.out + ": write a .png or a .csv file");
  check_folder(out);
  if (!o.csv.empty()) {
    if (lower_extension(o.csv) != ".csv") throw UsageError("--csv " + o.csv + ": the file name must end in .csv");
    check_folder(o.csv);
  }
  const int head = o.head ? *o.head : generate::AttentionWindow::kMeanOverHeads;

  const auto t0 = std::chrono::steady_clock::now();
  const nlohmann::json recipe = read_take_recipe(o.take);
  generate::set_compute_threads(o.threads);
  const auto model = load_recipe_model(recipe, o.model, o.device, o.take);
  const std::string id = model->info().id();
  if (o.layer < 0 || o.layer >= model->layers())
    throw UsageError("--layer " + std::to_string(o.layer) + ": " + id + " has layers 0 to " +
                     std::to_string(model->layers() - 1));
  if (head < generate::AttentionWindow::kMeanOverHeads || head >= model->heads())
    throw UsageError("--head " + std::to_string(head) + ": " + id + " has heads 0 to " +
                     std::to_string(model->heads() - 1) + " (or --mean)");

  const Reproduced r = reproduce(recipe, *model, "", o.take);
  const auto n = static_cast<std::int64_t>(r.take.tokens.size());
  const std::int64_t generated = n - static_cast<std::int64_t>(r.take.prompt_length);
  if (recipe.contains("generated_tokens") && recipe.at("generated_tokens").get<std::int64_t>() != generated)
    throw UsageError(o.take + ": re-running its recipe gave " + std::to_string(generated) +
                     " generated tokens, the recipe says " +
                     std::to_string(recipe.at("generated_tokens").get<std::int64_t>()) + ": it cannot be reproduced");
  const std::int64_t end = o.end ? *o.end : n;
  const std::int64_t begin = o.begin ? *o.begin : std::max<std::int64_t>(0, end - kDefaultWindow);
  if (begin < 0 || end <= begin || end > n)
    throw UsageError("window [" + std::to_string(begin) + ", " + std::to_string(end) + ") is not inside the take's " +
                     std::to_string(n) + " tokens (0 <= --begin < --end <= " + std::to_string(n) + ")");
  if (end - begin > kMaxWindow)
    throw UsageError("window [" + std::to_string(begin) + ", " + std::to_string(end) + ") has " +
                     std::to_string(end - begin) + " tokens; at most " + std::to_string(kMaxWindow) + " fit in one figure");

  const generate::AttentionWindow w = model->attention(r.take.tokens, r.model_seed, o.layer, head, begin, end);
  const std::int64_t train_len = model->info().train_len;
  const std::int64_t size = end - begin;
  std::vector<std::string> written;
  auto write_csv = [&](const fs::path& path) {
    io::write_file_atomically(path, csv_text(w, id, train_len));
    written.push_back(path.string());
  };
  if (kind == ".png") {
    plot::write_png_rgb(out, static_cast<int>(size), static_cast<int>(size), plot::attention_image(w.weights, size));
    written.push_back(out.string());
  } else {
    write_csv(out);
  }
  if (!o.csv.empty()) write_csv(o.csv);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::string where;
  if (train_len > begin && train_len < end)
    where = "training length " + std::to_string(train_len) + " at row/column " + std::to_string(train_len - begin);
  else if (train_len >= end)
    where = "inside the training length " + std::to_string(train_len);
  else
    where = "past the training length " + std::to_string(train_len);
  std::string files;
  for (const auto& f : written) files += (files.empty() ? "" : ", ") + f;
  std::cout << "attention of " << id << " layer " << o.layer << ", "
            << (head == generate::AttentionWindow::kMeanOverHeads ? "mean over " + std::to_string(model->heads()) + " heads"
                                                                  : "head " + std::to_string(head))
            << ", tokens [" << begin << ", " << end << ") of " << n << " (" << size << " x " << size << "; " << where
            << "): wrote " << files << " (" << seconds << " s)\n";
}

RegisterCommand reg([](CLI::App& root) {
  static Options o;
  auto* cmd = root.add_subcommand("attention", "Attention heatmap of a take (softmax(QK^T) of one layer: a head or the mean)");
  cmd->add_option("--take", o.take, "MIDI file written by spe generate or spe-studio (its recipe is re-run)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--model", o.model, "Model name or folder (default: the one the take's recipe names)");
  cmd->add_option("--layer", o.layer, "Layer (default 0)");
  cmd->add_option("--head", o.head, "Head (default: --mean)");
  cmd->add_flag("--mean", o.mean, "Mean over the layer's heads (the default)");
  cmd->add_option("--begin", o.begin, "First token of the window (default: end - 512, at least 0)");
  cmd->add_option("--end", o.end, "Token after the window (default: the take's length)");
  cmd->add_option("--device", o.device, "cpu | cuda");
  cmd->add_option("--threads", o.threads, "Compute threads (0 = LibTorch default)");
  cmd->add_option("-o,--output", o.out, "OUT.png (heatmap, one pixel per cell) or OUT.csv (weights)")->required();
  cmd->add_option("--csv", o.csv, "Also write the weights as this CSV file");
  cmd->callback([] { run_attention(o); });
});

}  // namespace
}  // namespace spe::cli
