// `spe train`: train a Performer (APE / sineSPE / convSPE) on a folder of MIDI files.
#include <torch/torch.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "model/config.hpp"
#include "model/performer.hpp"
#include "tokens/tokenizer.hpp"
#include "train/midi_dataset.hpp"
#include "train/model_folder.hpp"
#include "train/trainer.hpp"
#include "train/warm_start.hpp"

namespace fs = std::filesystem;

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int sig) {
  g_stop = true;
  std::signal(sig, SIG_DFL);  // a second Ctrl-C / SIGTERM kills at once
}

std::string command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()), out;
  for (char c : all) out += c == '\0' ? ' ' : c;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string hms(double s) {
  const long t = static_cast<long>(s + 0.5);
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
  else
    std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  return buf;
}

struct TrainArgs {
  std::string data, scheme = "remi", pe = "sine", config = "small", out, device = "cpu", license, cache, init_from;
  std::string remi_vocab = "full";
  bool ungated = false, resume = false, bf16 = false, no_augment = false;
  int layers = 0, d_model = 0, heads = 0, d_ff = 0, realizations = 0, sines = 0, kernel = 0;
  int seq_len = 256, batch = 4, threads = 2, transpose = -1, world_size = 1, rank = 0;
  std::string store;
  std::int64_t steps = 1000, warmup = 200, val_every = 200, ckpt_every = 500, redraw_every = 0, pause_after = 0;
  double lr = 2e-4, min_lr = -1, weight_decay = 0.01, clip = 0.5, val_fraction = 0.05, redraw_prob = 0.05, dropout = -1;
  std::uint64_t seed = 0;
};

void run_train(const TrainArgs& a) {
  if (a.seq_len < 2) throw std::runtime_error("--seq-len must be ≥ 2");
  if (a.batch < 1) throw std::runtime_error("--batch must be ≥ 1");
  torch::set_num_threads(std::max(1, a.threads));
  const bool tty = spe::cli::stdout_is_terminal();

  nlohmann::json tok_config = {{"scheme", a.scheme}};
  if (a.scheme == "remi") tok_config["vocab"] = a.remi_vocab;
  auto tokenizer = spe::tokens::make_tokenizer(tok_config);

  // Data: token cache, split by song.
  spe::train::CorpusOptions copt;
  copt.cache_dir = a.cache.empty() ? spe::train::default_cache_dir() : fs::path(a.cache);
  copt.threads = std::max(1, a.threads);
  if (tty)
    copt.on_progress = [](std::size_t d, std::size_t n) {
      if (d % 16 == 0 || d == n) std::fprintf(stdout, "\rencoding %zu/%zu files", d, n), std::fflush(stdout);
    };
  const auto corpus = spe::train::load_or_build_corpus(a.data, tokenizer->to_json().dump(),
                                                       spe::train::midi_encoder(*tokenizer), copt);
  if (tty && !corpus.from_cache) std::printf("\n");
  for (const auto& s : corpus.skipped) std::cerr << "spe: skipped " << s.path << ": " << s.reason << "\n";
  if (corpus.songs.empty()) throw std::runtime_error(a.data + ": none of the MIDI files could be used");
  const auto split = spe::train::split_corpus(corpus, a.val_fraction, a.seed);
  std::printf("data: %zu songs (%zu train, %zu validation), %zu tokens, %zu skipped%s\n", corpus.songs.size(),
              split.train.size(), split.validation.size(), corpus.token_count(), corpus.skipped.size(),
              corpus.from_cache ? " [cached]" : "");

  // Model.
  auto config = spe::model::preset_config(a.config, spe::model::positional_kind_from_string(a.pe));
  if (a.layers) config.n_layers = a.layers;
  if (a.d_model) config.d_model = a.d_model;
  if (a.heads) config.n_heads = a.heads;
  if (a.d_ff) config.d_ff = a.d_ff;
  if (a.realizations) config.spe.realizations = a.realizations;
  if (a.sines) config.spe.num_sines = a.sines;
  if (a.kernel) config.spe.kernel_size = a.kernel;
  if (a.dropout >= 0) config.dropout = a.dropout;
  config.spe.gated = !a.ungated;
  config.vocab_size = static_cast<int>(tokenizer->vocab().size());
  config.pad_id = tokenizer->pad();
  config.train_len = a.seq_len;
  config.ape_max_len = std::max(config.ape_max_len, 8 * a.seq_len);
  config.validate();
  auto model = std::make_shared<spe::model::PerformerLM>(config, a.seed);
  std::int64_t n_params = 0;
  for (const auto& p : model->parameters()) n_params += p.numel();

  auto meta = spe::train::describe_model(config, *tokenizer);
  meta.name = fs::path(a.out).filename().string();
  meta.description = "Performer (" + spe::model::to_string(config.pe) + (config.uses_spe() && a.ungated ? ", ungated" : "") +
                     ") trained with spe train on " + a.data;
  meta.license = a.license;
  meta.provenance = spe::io::Provenance::now(command_line());
  meta.dataset = {{"folder", fs::absolute(a.data).lexically_normal().string()},
                  {"files", corpus.songs.size() + corpus.skipped.size()},
                  {"songs_train", split.train.size()},
                  {"songs_validation", split.validation.size()},
                  {"validation_fraction", a.val_fraction},
                  {"split_seed", a.seed},
                  {"skipped", corpus.skipped.size()},
                  {"tokens", corpus.token_count()},
                  {"augmentation_transpose", a.no_augment ? 0 : (a.transpose >= 0 ? a.transpose : spe::train::default_max_transpose(*tokenizer))}};
  meta.metrics = {{"parameters", n_params}};
  if (!a.init_from.empty()) {
    // Before --resume: a checkpoint, when there is one, then replaces these weights.
    meta.history = spe::train::warm_start(*model, meta, a.init_from);
    std::printf("warm start: weights of %s\n", a.init_from.c_str());
  }

  spe::train::SamplerOptions sopt;
  sopt.batch = a.batch;
  sopt.seq_len = a.seq_len;
  sopt.pad_id = tokenizer->pad();
  sopt.max_transpose = meta.dataset["augmentation_transpose"].get<int>();
  sopt.seed = spe::train::derive_seed(a.seed, 0x5A3);
  if (split.train.empty()) throw std::runtime_error(a.data + ": no training songs left after the validation split");
  spe::train::BatchSampler sampler(split.train, sopt, spe::train::transposition_table_for(*tokenizer));
  std::vector<spe::train::TokenSeq> validation;
  for (const auto* v : split.validation) validation.push_back(*v);

  spe::train::TrainOptions topt;
  topt.steps = a.steps;
  topt.lr = a.lr;
  if (a.min_lr >= 0) topt.min_lr = a.min_lr;
  topt.warmup = a.warmup;
  topt.weight_decay = a.weight_decay;
  topt.clip_norm = a.clip;
  topt.val_every = a.val_every;
  topt.ckpt_every = a.ckpt_every;
  topt.feature_redraw_probability = a.redraw_prob;
  topt.feature_redraw_every = a.redraw_every;
  topt.seed = a.seed;
  topt.device = a.device;
  topt.bf16_autocast = a.bf16;
  topt.resume = a.resume;
  topt.out_dir = a.out;
  topt.world_size = a.world_size;
  topt.rank = a.rank;
  topt.store = a.store;
  std::printf("model: %s, %lld parameters, %d layers, d_model %d, %d heads; seq_len %d, batch %d, %lld steps on %s\n",
              spe::model::to_string(config.pe).c_str(), static_cast<long long>(n_params), config.n_layers,
              config.d_model, config.n_heads, a.seq_len, a.batch, static_cast<long long>(a.steps), a.device.c_str());
  std::fflush(stdout);

  spe::train::Trainer trainer(spe::train::trainable(model), std::move(sampler), std::move(validation), topt, meta);
  g_stop = false;
  auto previous = std::signal(SIGINT, on_stop_signal);
  auto previous_term = std::signal(SIGTERM, on_stop_signal);
  auto restore_signals = [&] {
    std::signal(SIGINT, previous);
    std::signal(SIGTERM, previous_term);
  };
  // --pause-after: a slice of a longer run (round-robin trainers); the checkpoint then continues it.
  auto session_steps = std::make_shared<std::int64_t>(0);
  spe::train::TrainCallbacks cb;
  cb.should_stop = [session_steps, pause = a.pause_after] {
    return g_stop.load() || (pause > 0 && *session_steps >= pause);
  };
  cb.on_message = [](const std::string& m) { std::printf("%s\n", m.c_str()), std::fflush(stdout); };
  cb.on_step = [tty, session_steps](const spe::train::StepReport& r) {
    ++*session_steps;
    if (tty) {
      std::printf("\rstep %lld/%lld  loss %.4f  lr %.2e  %.0f tok/s  ETA %s   ", static_cast<long long>(r.step),
                  static_cast<long long>(r.steps), r.loss, r.lr, r.tokens_per_s, hms(r.eta_s).c_str());
      if (r.val_loss) std::printf("\n  validation loss %.4f\n", *r.val_loss);
    } else if (r.val_loss) {
      std::printf("step %lld/%lld  loss %.4f  val %.4f  %.0f tok/s\n", static_cast<long long>(r.step),
                  static_cast<long long>(r.steps), r.loss, *r.val_loss, r.tokens_per_s);
    }
    std::fflush(stdout);
  };
  spe::train::TrainResult result;
  try {
    result = trainer.run(cb);
  } catch (...) {
    restore_signals();
    throw;
  }
  restore_signals();
  if (tty) std::printf("\n");
  std::printf("trained to step %lld: loss %.4f -> %.4f (mean of last steps %.4f)", static_cast<long long>(result.steps_done),
              result.first_loss, result.last_loss, result.mean_loss_last);
  if (result.best_val_loss) std::printf(", best validation %.4f", *result.best_val_loss);
  std::printf("\nmodel: %s\n", a.out.c_str());
  std::fflush(stdout);
  if (result.interrupted && !g_stop) {
    std::printf("paused at step %lld after %lld steps (--pause-after); continue with --resume\n",
                static_cast<long long>(result.steps_done), static_cast<long long>(*session_steps));
    return;
  }
  if (result.interrupted) {
    std::fprintf(stderr, "spe: interrupted at step %lld; checkpoint saved, continue with --resume\n",
                 static_cast<long long>(result.steps_done));
    std::exit(130);
  }
}

spe::cli::RegisterCommand reg([](CLI::App& root) {
  auto a = std::make_shared<TrainArgs>();
  auto* cmd = root.add_subcommand("train", "Train a Performer language model on a folder of MIDI files");
  cmd->add_option("--data", a->data, "Folder of MIDI files (searched recursively)")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--scheme", a->scheme, "Token scheme")->check(CLI::IsMember({"remi", "event"}));
  cmd->add_option("--remi-vocab", a->remi_vocab, "REMI vocabulary: the paper's 333 tokens or the full bins")
      ->check(CLI::IsMember({"paper", "full"}));
  cmd->add_option("--pe", a->pe, "Positional encoding")->check(CLI::IsMember({"ape", "sine", "conv", "none"}));
  cmd->add_flag("--ungated", a->ungated, "SPE without the gate (pure relative positions)");
  cmd->add_option("--config", a->config, "Architecture preset")->check(CLI::IsMember({"small", "pop", "groove"}));
  cmd->add_option("--layers", a->layers, "Override: layers")->check(CLI::PositiveNumber);
  cmd->add_option("--d-model", a->d_model, "Override: model width")->check(CLI::PositiveNumber);
  cmd->add_option("--heads", a->heads, "Override: attention heads")->check(CLI::PositiveNumber);
  cmd->add_option("--d-ff", a->d_ff, "Override: feed-forward width")->check(CLI::PositiveNumber);
  cmd->add_option("--realizations", a->realizations, "Override: SPE realisations R")->check(CLI::PositiveNumber);
  cmd->add_option("--sines", a->sines, "Override: sineSPE sines K")->check(CLI::PositiveNumber);
  cmd->add_option("--kernel", a->kernel, "Override: convSPE kernel length")->check(CLI::PositiveNumber);
  cmd->add_option("--dropout", a->dropout, "Override: dropout")->check(CLI::Range(0.0, 0.9));
  cmd->add_option("--seq-len", a->seq_len, "Training sequence length (tokens)")->capture_default_str();
  cmd->add_option("--steps", a->steps, "Optimiser steps in total")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--batch", a->batch, "Sequences per batch")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--lr", a->lr, "Peak learning rate (AdamW)")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--min-lr", a->min_lr, "Learning rate at the end of the cosine decay (default lr/40)");
  cmd->add_option("--warmup", a->warmup, "Linear warm-up steps")->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--weight-decay", a->weight_decay, "AdamW weight decay")->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--clip", a->clip, "Gradient-norm clipping (0: off)")->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--val-every", a->val_every, "Validate every K steps (0: only at the end)")->capture_default_str();
  cmd->add_option("--val-fraction", a->val_fraction, "Songs held out for validation")->capture_default_str()->check(CLI::Range(0.0, 0.5));
  cmd->add_option("--ckpt-every", a->ckpt_every, "Checkpoint every K steps (0: only at the end / on Ctrl-C)")->capture_default_str();
  cmd->add_option("--redraw-prob", a->redraw_prob, "Probability per step of redrawing the FAVOR+ features")->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--redraw-every", a->redraw_every, "Redraw the FAVOR+ features every K steps (0: off)")->capture_default_str();
  cmd->add_option("--transpose", a->transpose, "Transposition augmentation ± semitones (default: remi 6, event 5)")
      ->check(CLI::Range(0, 12));
  cmd->add_flag("--no-augment", a->no_augment, "No transposition augmentation");
  cmd->add_flag("--resume", a->resume, "Continue from the checkpoint in --out");
  cmd->add_option("--init-from", a->init_from,
                  "Warm start: begin from this model folder's weights (same architecture and vocabulary), new optimiser and schedule")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--pause-after", a->pause_after,
                  "Stop cleanly (checkpoint) after this many steps of this invocation; --resume continues")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--device", a->device, "cpu, cuda or cuda:N")->capture_default_str();
  cmd->add_flag("--bf16", a->bf16, "bfloat16 autocast (mixed precision) for the forward pass");
  cmd->add_option("--threads", a->threads, "CPU threads (LibTorch and MIDI encoding)")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--seed", a->seed, "Seed of everything random (init, split, batches, noise)")->capture_default_str();
  cmd->add_option("--license", a->license, "License of the trained weights (recorded in model.json)");
  cmd->add_option("--cache", a->cache, "Token cache folder (default ~/.cache/spe-studio/tokens)");
  cmd->add_option("--out", a->out, "Model folder to write")->required();
  cmd->add_option("--world-size", a->world_size, "Data-parallel processes (Gloo, CPU); --batch is the global batch")
      ->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--rank", a->rank, "This process's rank (0 … world-size − 1)")->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--store", a->store, "Rendezvous file shared by the processes (must not exist beforehand)");
  cmd->callback([a] { run_train(*a); });
});

}  // namespace
