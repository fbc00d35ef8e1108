// `spe generate`: one prompt (a MIDI file's first bars, or nothing) → C takes written as MIDI, with the
// recipe inside and optionally a sidecar JSON. Ctrl-C stops within one token and keeps what was made.
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>

#include "command.hpp"
#include "generate/model.hpp"
#include "generate/session.hpp"
#include "generate/take.hpp"
#include "model_paths.hpp"
#include "recipe_replay.hpp"
#include "tokens/vocabulary.hpp"

namespace spe::cli {
namespace {

namespace fs = std::filesystem;

struct Options {
  std::string model;
  std::string prompt;
  int prompt_bars = -1;
  std::optional<double> tokens, bars, seconds;
  std::optional<double> temperature, top_p;
  std::optional<int> top_k;
  std::optional<std::uint64_t> seed;
  int candidates = 1;
  int first_candidate = 0;
  std::string device = "cpu";
  bool no_grammar = false;
  int threads = 0;
  std::string out;
  std::string recipe;  // a take's MIDI file whose recipe is reproduced
  bool sidecar = false;
  bool json = false;
};

std::atomic<bool> g_interrupted{false};
// extern "C" names share one global namespace: the name says which command owns it.
extern "C" void spe_generate_on_sigint(int) { g_interrupted = true; }

generate::GenerationParams params_from(const Options& o, const std::string& scheme) {
  generate::GenerationParams p = generate::default_generation_params(scheme);
  const int lengths = int(o.tokens.has_value()) + int(o.bars.has_value()) + int(o.seconds.has_value());
  if (lengths != 1) throw UsageError("give exactly one length: --tokens N, --bars N or --seconds S");
  if (o.tokens) {
    if (!(*o.tokens >= 1) || *o.tokens != std::floor(*o.tokens))
      throw UsageError("--tokens must be a whole number >= 1");
    p.length_unit = generate::LengthUnit::Tokens;
    p.length = *o.tokens;
  } else if (o.bars) {
    if (!(*o.bars >= 1) || *o.bars != std::floor(*o.bars)) throw UsageError("--bars must be a whole number >= 1");
    p.length_unit = generate::LengthUnit::Bars;
    p.length = *o.bars;
  } else {
    if (!(*o.seconds > 0) || !std::isfinite(*o.seconds)) throw UsageError("--seconds must be a positive number");
    p.length_unit = generate::LengthUnit::Seconds;
    p.length = *o.seconds;
  }
  if (o.temperature) {
    if (!(*o.temperature >= 0) || !std::isfinite(*o.temperature)) throw UsageError("--temperature must be >= 0");
    p.temperature = static_cast<float>(*o.temperature);
  }
  if (o.top_k) {
    if (*o.top_k < 0) throw UsageError("--top-k must be >= 0 (0 = off)");
    p.top_k = *o.top_k;
  }
  if (o.top_p) {
    if (!(*o.top_p > 0 && *o.top_p <= 1)) throw UsageError("--top-p must be in (0, 1]");
    p.top_p = static_cast<float>(*o.top_p);
  }
  if (o.candidates < 1 || o.candidates > 256) throw UsageError("--candidates must be between 1 and 256");
  if (o.first_candidate < 0) throw UsageError("--first-candidate must be >= 0");
  p.candidates = o.candidates;
  p.first_candidate = o.first_candidate;
  p.seed = o.seed ? *o.seed : (std::uint64_t(std::random_device{}()) << 32 | std::random_device{}());
  p.use_grammar = !o.no_grammar;
  p.prompt_bars = o.prompt_bars;
  return p;
}

void check_output(const fs::path& out) {
  if (out.empty()) throw UsageError("missing -o OUT.mid");
  const fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
  if (!fs::is_directory(parent)) throw UsageError("cannot write " + out.string() + ": folder " + parent.string() +
                                                  " does not exist");
}

// "[#####-----]  42%  ETA 0:13" on one terminal line.
void draw_progress(double fraction, double elapsed) {
  const int width = 30, filled = static_cast<int>(fraction * width);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(width, '-');
  const double eta = fraction > 0.01 ? elapsed * (1.0 - fraction) / fraction : 0.0;
  const int m = static_cast<int>(eta) / 60, s = static_cast<int>(eta) % 60;
  std::fprintf(stdout, "\r[%s] %3d%%  ETA %d:%02d ", bar.c_str(), static_cast<int>(fraction * 100), m, s);
  std::fflush(stdout);
}

void run_recipe(const Options& o) {
  const fs::path out(o.out);
  check_output(out);
  const nlohmann::json recipe = read_take_recipe(o.recipe);
  generate::set_compute_threads(o.threads);
  const auto model = load_recipe_model(recipe, o.model, o.device, o.recipe);
  Reproduced r = reproduce(recipe, *model, o.prompt, o.recipe);
  nlohmann::json again = generate::take_recipe(*model, r.params, r.prompt, r.take);
  if (recipe.contains("reroll")) again["reroll"] = recipe["reroll"];
  generate::write_take_midi(r.take, again, out);
  if (o.json)
    std::cout << nlohmann::json{{"path", out.string()}, {"notes", r.take.score.note_count()},
                                {"tokens", r.take.tokens.size() - r.take.prompt_length}}.dump() << "\n";
  else
    std::cout << "wrote " << out.string() << ": " << (r.take.tokens.size() - r.take.prompt_length) << " tokens, "
              << r.take.score.note_count() << " notes (reproduced from " << o.recipe << ")\n";
}

void run_generate(const Options& o) {
  if (!o.recipe.empty()) return run_recipe(o);
  if (o.prompt_bars != -1 && o.prompt.empty()) throw UsageError("--prompt-bars needs --prompt IN.mid");
  if (o.prompt_bars != -1 && o.prompt_bars < 1) throw UsageError("--prompt-bars must be >= 1");
  if (o.threads < 0) throw UsageError("--threads must be >= 0");
  if (int(o.tokens.has_value()) + int(o.bars.has_value()) + int(o.seconds.has_value()) != 1)
    throw UsageError("give exactly one length: --tokens N, --bars N or --seconds S");
  const fs::path out(o.out);
  check_output(out);

  const auto roots = model_roots();
  fs::path model_dir;
  if (o.model.empty()) {
    const auto found = generate::default_model(roots);
    if (!found)
      throw UsageError("no default model is installed (no resources/models/default); train one with `spe train` "
                       "or pass --model NAME|DIR (see `spe models`)");
    model_dir = *found;
  } else {
    model_dir = generate::resolve_model(o.model, roots);
  }
  generate::set_compute_threads(o.threads);
  const auto model = generate::Model::load(model_dir, {o.device});
  generate::GenerationParams params = params_from(o, model->info().scheme);
  // A CLI take is never rewound (re-rolls replay through --recipe, which keeps its rewind points): no
  // copies of the attention states at every bar (≈ 100 MB and 0.1 s for a 64-bar take).
  params.max_bar_snapshots = 0;

  const generate::Prompt prompt = o.prompt.empty()
                                      ? generate::prompt_from_scratch(model->scheme())
                                      : generate::prompt_from_midi(model->tokenizer(), o.prompt, o.prompt_bars);
  if (!o.json)
    for (const auto& line : prompt.report) std::cerr << "spe: prompt: " << line << "\n";

  generate::GenerationSession session(model->incremental(), model->scheme(), params);
  const auto t0 = std::chrono::steady_clock::now();
  session.start(prompt.tokens);

  const bool show_progress = stdout_is_terminal() && !o.json;
  g_interrupted = false;
  auto previous = std::signal(SIGINT, spe_generate_on_sigint);
  generate::GenerationCallbacks cb;
  cb.should_abort = [] { return g_interrupted.load(); };
  auto last_draw = t0;
  if (show_progress)
    cb.on_progress = [&](double f) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_draw < std::chrono::milliseconds(100) && f < 1.0) return;
      last_draw = now;
      draw_progress(f, std::chrono::duration<double>(now - t0).count());
    };
  const generate::StopReason reason = session.run(cb);
  std::signal(SIGINT, previous);
  if (show_progress) std::fprintf(stdout, "\n");
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  nlohmann::json summary;
  summary["model"] = model->info().id();
  summary["device"] = model->device();
  summary["seed"] = params.seed;
  summary["stop"] = generate::to_string(reason);
  summary["seconds"] = elapsed;
  summary["prompt"] = {{"source", prompt.source}, {"bars", prompt.bars}, {"tokens", prompt.tokens.size()},
                       {"report", prompt.report}};
  summary["takes"] = nlohmann::json::array();
  std::size_t generated = 0;
  const auto& traces = session.candidates();
  for (int c = 0; c < static_cast<int>(traces.size()); ++c) {
    const generate::Take take = generate::make_take(model->tokenizer(), traces[c], c);
    const nlohmann::json recipe = generate::take_recipe(*model, params, prompt, take);
    const fs::path path = generate::take_output_path(out, c, params.candidates);
    generate::write_take_midi(take, recipe, path);
    nlohmann::json t{{"path", path.string()},
                     {"candidate", take.sampler_index},
                     {"tokens", take.tokens.size() - take.prompt_length},
                     {"notes", take.score.note_count()},
                     {"stop", generate::to_string(take.stop)},
                     {"invalid_tokens", take.invalid_positions.size()},
                     {"decode_report", take.decode_report}};
    if (o.sidecar) {
      fs::path side = path;
      side.replace_extension(".json");
      tokens::write_text_atomically(side, generate::take_sidecar(model->tokenizer(), recipe, take).dump(1) + "\n");
      t["sidecar"] = side.string();
    }
    generated += take.tokens.size() - take.prompt_length;
    if (!o.json) {
      std::cout << "wrote " << path.string() << ": " << (take.tokens.size() - take.prompt_length) << " tokens, "
                << take.score.note_count() << " notes (" << generate::to_string(take.stop) << ")\n";
      if (!take.invalid_positions.empty())
        std::cerr << "spe: " << path.string() << ": " << take.invalid_positions.size()
                  << " tokens not allowed by the grammar were skipped when decoding\n";
    }
    summary["takes"].push_back(std::move(t));
  }
  summary["tokens_per_second"] = elapsed > 0 ? double(generated) / elapsed : 0.0;
  if (o.json) std::cout << summary.dump() << "\n";
  else std::cout << "model " << model->info().id() << ", seed " << params.seed << " (" << elapsed << " s)\n";
  if (reason == generate::StopReason::Aborted) {
    std::cerr << "spe: interrupted; partial takes were written\n";
    std::exit(130);
  }
}

RegisterCommand reg([](CLI::App& root) {
  static Options o;
  auto* cmd = root.add_subcommand("generate", "Generate music with a model (continue a MIDI prompt or start from scratch)");
  cmd->add_option("--model", o.model, "Model name (see `spe models`) or model folder; default: the bundled default");
  cmd->add_option("--prompt", o.prompt, "MIDI file whose first bars are continued")->check(CLI::ExistingFile);
  cmd->add_option("--prompt-bars", o.prompt_bars, "Bars of the prompt to use (default: all)");
  cmd->add_option("--tokens", o.tokens, "Length: generated tokens");
  cmd->add_option("--bars", o.bars, "Length: generated bars");
  cmd->add_option("--seconds", o.seconds, "Length: generated seconds of music");
  cmd->add_option("--temperature", o.temperature, "Sampling temperature (default: remi 1.2, event 0.6; 0 = greedy)");
  cmd->add_option("--top-k", o.top_k, "Keep the k most likely tokens (0 = off)");
  cmd->add_option("--top-p", o.top_p, "Nucleus: smallest set with mass > p (default: remi 0.9, event 1 = off)");
  cmd->add_option("--seed", o.seed, "Seed of every random draw of the take (default: random, kept in the recipe)");
  cmd->add_option("--candidates", o.candidates, "Takes from one prompt in one batched run (OUT-1.mid ... OUT-C.mid)");
  cmd->add_option("--first-candidate", o.first_candidate,
                  "Random stream of the first take (re-run take c of an earlier run alone with c-1)");
  cmd->add_option("--device", o.device, "cpu | cuda");
  cmd->add_flag("--no-grammar", o.no_grammar, "Sample without the scheme's grammar (invalid tokens are skipped)");
  cmd->add_option("--threads", o.threads, "Compute threads (0 = LibTorch default)");
  cmd->add_option("-o,--output", o.out, "Output MIDI file")->required();
  cmd->add_option("--recipe", o.recipe,
                  "Reproduce the take in this MIDI file (written by spe generate or spe-studio) from its recipe")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--sidecar", o.sidecar, "Also write OUT.json: recipe, tokens, per-token entropy and log-probability");
  cmd->add_flag("--json", o.json, "Print a one-line JSON summary instead of text");
  cmd->callback([] { run_generate(o); });
});

}  // namespace
}  // namespace spe::cli
