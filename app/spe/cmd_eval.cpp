// `spe eval`: loss per position beyond the training length (paper Figure 3 / Table 6), and the groove
// style-similarity metrics of continuations (appendix C.2) with --style.
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "io/atomic_file.hpp"
#include "midi/midi_files.hpp"
#include "model/performer.hpp"
#include "model_folder/model_folder.hpp"
#include "music/score_midi.hpp"
#include "train/folder_eval.hpp"
#include "train/midi_dataset.hpp"
#include "train/model_folder.hpp"
#include "train/position_loss.hpp"
#include "train/style_similarity.hpp"

namespace fs = std::filesystem;

namespace {

struct EvalArgs {
  std::string model, data, csv, device = "cpu", cache;
  std::size_t max_position = 0, bucket = 64, batch = 1, max_files = 0;
  bool json = false, all_songs = false, style = false;
  int threads = 2, prompt_bars = 2, chunks = 4;
  std::uint64_t seed = 0;
  std::string continuations, sources;
};

void run_loss_eval(const EvalArgs& a) {
  if (a.model.empty() || a.data.empty() || a.max_position == 0)
    throw std::runtime_error("eval needs --model, --data and --max-position (or --style)");
  if (a.bucket == 0) throw std::runtime_error("--bucket must be ≥ 1");
  torch::set_num_threads(std::max(1, a.threads));
  auto loaded = spe::model_folder::load(a.model, {.device = torch::Device(a.device)});
  // The validation songs of the model's own split (same fraction and seed), unless --all-songs.
  spe::train::FolderEvalOptions fopt;
  fopt.corpus.cache_dir = a.cache.empty() ? spe::train::default_cache_dir() : fs::path(a.cache);
  fopt.corpus.threads = std::max(1, a.threads);
  fopt.corpus.max_files = a.max_files;
  fopt.bucket = a.bucket;
  fopt.all_songs = a.all_songs;
  fopt.use_split_of(loaded.meta);
  fopt.eval.max_position = a.max_position;
  fopt.eval.seed = a.seed;
  fopt.eval.batch = a.batch;
  fopt.eval.device = a.device;
  if (!a.json && spe::cli::stdout_is_terminal())
    fopt.eval.on_progress = [](std::size_t d, std::size_t n) {
      std::printf("\revaluating song %zu/%zu", d, n), std::fflush(stdout);
    };
  auto lm = spe::train::trainable(loaded.model);
  const std::size_t train_len = spe::train::training_length(loaded.meta, loaded.config);
  const auto result = spe::train::evaluate_folder(lm, *loaded.tokenizer, a.data, train_len, fopt);
  if (fopt.eval.on_progress) std::printf("\n");
  for (const auto& s : result.skipped) std::cerr << "spe: skipped " << s.path << ": " << s.reason << "\n";
  const auto& report = result.report;
  if (!a.csv.empty()) spe::io::write_file_atomically(a.csv, report.to_csv());
  if (a.json) {
    std::printf("%s\n", report.to_json().c_str());
    return;
  }
  std::printf("%zu songs, positions < %zu, training length %zu\n", result.songs, a.max_position, train_len);
  std::printf("trained       (pos < %zu): %.4f ± %.4f  (%zu songs, %zu tokens)\n", train_len,
              report.trained.mean, report.trained.std, report.trained.songs, report.trained.tokens);
  if (report.extrapolation.tokens > 0)
    std::printf("extrapolation (pos ≥ %zu): %.4f ± %.4f  (%zu songs, %zu tokens)\n", train_len,
                report.extrapolation.mean, report.extrapolation.std, report.extrapolation.songs,
                report.extrapolation.tokens);
  else
    std::printf("extrapolation: no song reaches position %zu\n", train_len);
  std::printf("%8s %8s %9s %9s %6s\n", "from", "to", "mean", "std", "songs");
  for (const auto& b : report.buckets)
    std::printf("%8zu %8zu %9.4f %9.4f %6zu\n", b.begin, b.end, b.stats.mean, b.stats.std, b.stats.songs);
}

// Continuations are paired with the source whose file stem is the longest prefix of theirs
// (e.g. "song12_take3.mid" ↔ "song12.mid").
void run_style_eval(const EvalArgs& a) {
  if (a.continuations.empty() || a.sources.empty())
    throw std::runtime_error("--style needs --continuations DIR and --sources DIR");
  const auto conts = spe::midi::list_midi_files(a.continuations);
  const auto srcs = spe::midi::list_midi_files(a.sources);
  std::vector<std::vector<double>> tp(static_cast<std::size_t>(a.chunks)), od(static_cast<std::size_t>(a.chunks)),
      notes(static_cast<std::size_t>(a.chunks));
  nlohmann::json unmatched = nlohmann::json::array(), skipped = nlohmann::json::array();
  std::size_t pairs = 0;
  for (const auto& c : conts) {
    const std::string stem = c.stem().string();
    const fs::path* best = nullptr;
    for (const auto& s : srcs) {
      const std::string ss = s.stem().string();
      if (stem.rfind(ss, 0) == 0 && (!best || ss.size() > best->stem().string().size())) best = &s;
    }
    if (!best) {
      unmatched.push_back(c.filename().string());
      continue;
    }
    try {
      const auto cont = spe::music::read_score(c);
      const auto src = spe::music::read_score(*best);
      const auto prompt_end = static_cast<spe::music::Tick>(a.prompt_bars) * 4 * cont.ticks_per_beat;
      const auto sims = spe::train::continuation_style_similarity(cont, src, prompt_end, a.chunks);
      for (std::size_t k = 0; k < sims.size(); ++k) {
        tp[k].push_back(sims[k].time_pitch);
        od[k].push_back(sims[k].onset_duration);
        notes[k].push_back(static_cast<double>(sims[k].notes));
      }
      ++pairs;
    } catch (const std::exception& e) {
      std::cerr << "spe: skipped " << c.string() << ": " << e.what() << "\n";
      skipped.push_back(c.filename().string());
    }
  }
  if (pairs == 0)
    throw std::runtime_error(a.continuations + ": no continuation matched a source in " + a.sources);
  nlohmann::json chunks = nlohmann::json::array();
  for (std::size_t k = 0; k < tp.size(); ++k) {
    const auto t = spe::train::mean_std(tp[k]), o = spe::train::mean_std(od[k]), n = spe::train::mean_std(notes[k]);
    // Notes per chunk tell an empty (silent) chunk from one in another style: both score low.
    chunks.push_back({{"chunk", k}, {"time_pitch", {{"mean", t.mean}, {"std", t.std}}},
                      {"onset_duration", {{"mean", o.mean}, {"std", o.std}}},
                      {"notes", {{"mean", n.mean}, {"std", n.std}}}});
  }
  nlohmann::json out = {{"pairs", pairs}, {"chunks", chunks}, {"unmatched", unmatched}, {"skipped", skipped}};
  if (a.json) {
    std::printf("%s\n", out.dump().c_str());
    return;
  }
  std::printf("%zu continuation/source pairs, %zu unmatched\n%6s %22s %22s %8s\n", pairs, unmatched.size(), "chunk",
              "time-pitch", "onset-duration", "notes");
  for (const auto& c : chunks)
    std::printf("%6d %12.4f ± %.4f %12.4f ± %.4f %8.1f\n", c["chunk"].get<int>(), c["time_pitch"]["mean"].get<double>(),
                c["time_pitch"]["std"].get<double>(), c["onset_duration"]["mean"].get<double>(),
                c["onset_duration"]["std"].get<double>(), c["notes"]["mean"].get<double>());
}

spe::cli::RegisterCommand reg([](CLI::App& root) {
  auto a = std::make_shared<EvalArgs>();
  auto* cmd =
      root.add_subcommand("eval", "Loss per position (incl. beyond the training length); style similarity");
  cmd->add_option("--model", a->model, "Model folder (model.safetensors + model.json)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--data", a->data, "Folder of MIDI files")->check(CLI::ExistingDirectory);
  cmd->add_option("--max-position", a->max_position, "Evaluate positions 0 … N−1 of each song")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--bucket", a->bucket, "Positions per bucket")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--batch", a->batch, "Songs per forward pass (same losses; more uses more memory)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-files", a->max_files, "Only the first N MIDI files of --data (sorted by path; 0 = all)")
      ->capture_default_str();
  cmd->add_flag("--all-songs", a->all_songs, "Every song of --data, not only the model's validation split");
  cmd->add_flag("--json", a->json, "One line of JSON on stdout");
  cmd->add_option("--csv", a->csv, "Write the buckets as CSV");
  cmd->add_option("--device", a->device, "cpu, cuda or cuda:N")->capture_default_str();
  cmd->add_option("--threads", a->threads, "CPU threads")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--seed", a->seed, "Seed of the evaluation noise (SPE code, gating, features)")
      ->capture_default_str();
  cmd->add_option("--cache", a->cache, "Token cache folder (default ~/.cache/spe-studio/tokens)");
  cmd->add_flag("--style", a->style,
                "Style similarity of --continuations to their --sources (groove, paper C.2)");
  cmd->add_option("--continuations", a->continuations, "Folder of generated continuations (for --style)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--sources", a->sources, "Folder of the songs the prompts came from (for --style)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--prompt-bars", a->prompt_bars, "Bars of prompt at the start of each continuation")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--chunks", a->chunks, "Chunks of equal duration the continuation is cut into")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->callback([a] {
    if (a->style)
      run_style_eval(*a);
    else
      run_loss_eval(*a);
  });
});

}  // namespace
