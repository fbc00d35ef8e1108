#pragma once
// The training loop: AdamW, linear warm-up + cosine decay, gradient-norm clipping, fresh noise every
// batch, periodic validation, atomic checkpoints with exact resume, clean stop on request (Ctrl-C).
//
// Output folder layout (`out_dir`):
//   model.safetensors, model.json      the final model (also written when stopped early)
//   training/checkpoint/               model files + state.json + optimizer.pt (the resume point)
//   training/best/                     the model with the lowest validation loss so far
//   training/log.csv                   one row per step (see TrainLog)
// A checkpoint is written to training/checkpoint.tmp and swapped in by renames, so a crash at any
// moment leaves either the previous or the new checkpoint complete.
//
// Reproducibility: every random quantity of step s is a function of (seed, s) — SPE/gating noise seed,
// dropout (the global torch generator is re-seeded per step), feature redraw decisions — or lives in the
// saved state (batch sampler RNG and position, current feature seed, optimizer moments). Hence a run
// resumed from a checkpoint continues exactly like the uninterrupted run (same device and thread count).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/checkpoint.hpp"
#include "train/batch_sampler.hpp"
#include "train/lr_schedule.hpp"
#include "train/trainable_model.hpp"

namespace spe::train {

struct TrainOptions {
  std::int64_t steps = 1000;
  double lr = 2e-4;
  std::optional<double> min_lr;        // default lr / 40 (pop piano: 2e-4 → 5e-6)
  std::int64_t warmup = 200;
  double weight_decay = 0.01;
  double clip_norm = 0.5;              // ≤ 0: no clipping
  std::int64_t val_every = 200;        // 0: validate only at the end
  std::int64_t ckpt_every = 500;       // 0: checkpoint only at the end / on stop
  double feature_redraw_probability = 0.05;  // per step (pop piano reference)
  std::int64_t feature_redraw_every = 0;     // every K steps (groove reference: 40); 0 = off
  std::uint64_t seed = 0;
  std::string device = "cpu";          // "cpu" | "cuda" | "cuda:N"
  bool bf16_autocast = false;          // mixed precision (CUDA autocast / CPU bf16 autocast)
  bool resume = false;
  std::filesystem::path out_dir;
  // Data-parallel training (see data_parallel.hpp): every rank draws the same global batch and trains on
  // its slice of batch / world_size rows; gradients are summed so each step equals the single-process step
  // on the whole batch (up to summation order; dropout masks differ). Rank 0 validates and writes the
  // checkpoints, the log and the model; other ranks write only their final weights to
  // training/rank<R>/ (for checking that the ranks agree). Resume works as in a single process.
  int rank = 0;
  int world_size = 1;
  std::filesystem::path store;  // rendezvous file (required when world_size > 1)
};

struct StepReport {
  std::int64_t step = 0, steps = 0;
  std::uint64_t epoch = 0;
  double lr = 0;
  double loss = 0;
  std::optional<double> val_loss;
  double tokens_per_s = 0;  // target tokens per second over this session
  double elapsed_s = 0;     // this session
  double eta_s = 0;
  bool checkpointed = false;
};

struct TrainResult {
  std::int64_t steps_done = 0;
  std::int64_t resumed_from = 0;      // 0 when started fresh
  bool interrupted = false;
  double first_loss = 0;              // first step of this session
  double last_loss = 0;
  double mean_loss_last = 0;          // mean of the last min(50, steps) losses of this session
  std::optional<double> last_val_loss, best_val_loss;
  std::vector<double> losses;         // per step of this session
};

struct TrainCallbacks {
  std::function<void(const StepReport&)> on_step;
  std::function<bool()> should_stop;  // polled before every step
  std::function<void(const std::string&)> on_message;  // one-line notices (resume, checkpoint saved, ...)
};

class Trainer {
 public:
  // `meta` describes the model (architecture, tokenizer, dataset, license, provenance); the trainer fills
  // steps, training length and metrics. `validation` holds whole validation songs (each cut to
  // seq_len + 1 tokens from its start, so validation losses are comparable across steps).
  Trainer(TrainableLM model, BatchSampler sampler, std::vector<TokenSeq> validation, TrainOptions options,
          io::CheckpointMeta meta);
  ~Trainer();

  TrainResult run(const TrainCallbacks& callbacks = {});

  // Mean validation loss (token-weighted) with fixed noise seeds; NaN when there is no validation data.
  double validate();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spe::train
