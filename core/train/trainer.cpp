#include "train/trainer.hpp"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "io/atomic_file.hpp"
#include "io/module_loading.hpp"
#include "io/remove_tree.hpp"
#include "train/data_parallel.hpp"
#include "train/train_log.hpp"

namespace fs = std::filesystem;

namespace spe::train {

namespace {

// Stream ids for derive_seed, so the random quantities of one step never share a seed.
enum : std::uint64_t { kCodeStream = 1, kDropoutStream = 2, kRedrawStream = 3, kFeatureStream = 4, kValStream = 5 };

torch::Device parse_device(const std::string& name) {
  torch::Device device(torch::kCPU);
  try {
    device = torch::Device(name);
  } catch (const std::exception&) {
    throw std::runtime_error("unknown device '" + name + "' (use cpu or cuda)");
  }
  if (device.is_cuda() && !torch::cuda::is_available())
    throw std::runtime_error("device '" + name + "' requested but this LibTorch build has no CUDA device available");
  return device;
}

double uniform01(std::uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

// Autocast to bfloat16 for the forward pass only (the backward follows the recorded dtypes).
struct AutocastScope {
  bool enabled, cuda;
  AutocastScope(bool on, bool is_cuda) : enabled(on), cuda(is_cuda) {
    if (!enabled) return;
    if (cuda) {
      at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
      at::autocast::set_enabled(true);
    } else {
      at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
      at::autocast::set_cpu_enabled(true);
    }
  }
  ~AutocastScope() {
    if (!enabled) return;
    if (cuda)
      at::autocast::set_enabled(false);
    else
      at::autocast::set_cpu_enabled(false);
    at::autocast::clear_cache();
  }
};

torch::Tensor to_tensor(const std::vector<std::int32_t>& v, int rows, int cols, const torch::Device& device) {
  return torch::from_blob(const_cast<std::int32_t*>(v.data()), {rows, cols}, torch::kInt32)
      .to(torch::kInt64)
      .to(device);
}

TokenBatch slice_rows(const TokenBatch& b, int first, int rows) {
  TokenBatch out;
  out.batch = rows;
  out.seq_len = b.seq_len;
  const auto from = static_cast<std::ptrdiff_t>(first) * b.seq_len, to = from + static_cast<std::ptrdiff_t>(rows) * b.seq_len;
  out.inputs.assign(b.inputs.begin() + from, b.inputs.begin() + to);
  out.targets.assign(b.targets.begin() + from, b.targets.begin() + to);
  out.shifts.assign(b.shifts.begin() + first, b.shifts.begin() + first + rows);
  return out;
}

}  // namespace

struct Trainer::Impl {
  TrainableLM model;
  BatchSampler sampler;
  std::vector<TokenSeq> validation;
  TrainOptions opt;
  io::CheckpointMeta meta;
  torch::Device device{torch::kCPU};
  std::unique_ptr<torch::optim::AdamW> optimizer;
  LrSchedule schedule;

  // Resumable state.
  std::int64_t step = 0;
  std::uint64_t feature_seed = 0;
  std::optional<double> best_val, last_val;
  double last_loss = std::numeric_limits<double>::quiet_NaN();

  fs::path training_dir() const { return opt.out_dir / "training"; }
  fs::path checkpoint_dir() const { return training_dir() / "checkpoint"; }

  Impl(TrainableLM m, BatchSampler s, std::vector<TokenSeq> v, TrainOptions o, io::CheckpointMeta md)
      : model(std::move(m)), sampler(std::move(s)), validation(std::move(v)), opt(std::move(o)), meta(std::move(md)) {
    if (!model.module || !model.logits) throw std::invalid_argument("trainer needs a model");
    if (opt.steps < 1) throw std::invalid_argument("--steps must be ≥ 1");
    if (opt.lr <= 0) throw std::invalid_argument("--lr must be > 0");
    if (opt.out_dir.empty()) throw std::invalid_argument("an output folder is required");
    device = parse_device(opt.device);
    model.module->to(device);
    optimizer = std::make_unique<torch::optim::AdamW>(
        model.module->parameters(), torch::optim::AdamWOptions(opt.lr).weight_decay(opt.weight_decay));
    schedule = LrSchedule{opt.lr, opt.min_lr.value_or(opt.lr / 40), opt.warmup, opt.steps};
    feature_seed = derive_seed(opt.seed, 0, kFeatureStream);
    sampler_seq_len = sampler.options().seq_len;
    sampler_batch = sampler.options().batch;
    pad_id = sampler.options().pad_id;
    if (opt.world_size > 1) {
      if (sampler_batch % opt.world_size != 0)
        throw std::invalid_argument("--batch " + std::to_string(sampler_batch) + " is not divisible by --world-size " +
                                    std::to_string(opt.world_size));
      if (opt.store.empty()) throw std::invalid_argument("--store is required with --world-size > 1");
      if (device.is_cuda()) throw std::invalid_argument("data-parallel training here uses Gloo on the CPU only");
      group = std::make_unique<DataParallelGroup>(opt.store, opt.rank, opt.world_size);
    }
  }
  std::unique_ptr<DataParallelGroup> group;
  bool lead() const { return opt.rank == 0; }

  void set_lr(double lr) {
    for (auto& group : optimizer->param_groups())
      static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
  }

  io::CheckpointMeta current_meta() const {
    io::CheckpointMeta m = meta;
    m.steps = step;
    m.training_length = sampler_seq_len;
    m.metrics["train_loss"] = last_loss;
    if (last_val) m.metrics["val_loss"] = *last_val;
    if (best_val) m.metrics["best_val_loss"] = *best_val;
    return m;
  }
  int sampler_seq_len = 0;

  std::string state_json() const {
    nlohmann::json j = {{"format", "spe-studio-training-state"},
                        {"version", 1},
                        {"step", step},
                        {"seed", opt.seed},
                        {"feature_seed", feature_seed},
                        {"last_loss", last_loss},
                        {"sampler", nlohmann::json::parse(sampler.state_json())}};
    if (best_val) j["best_val_loss"] = *best_val;
    if (last_val) j["last_val_loss"] = *last_val;
    return j.dump(1);
  }

  void save_checkpoint() {
    const fs::path tmp = training_dir() / "checkpoint.tmp";
    const fs::path old = training_dir() / "checkpoint.old";
    io::remove_tree(tmp);
    fs::create_directories(tmp);
    io::save_checkpoint(tmp, io::module_tensors(*model.module), current_meta());
    {
      torch::serialize::OutputArchive archive;
      optimizer->save(archive);
      archive.save_to((tmp / "optimizer.pt").string());
    }
    io::write_file_atomically(tmp / "state.json", state_json());
    // Swap: checkpoint → checkpoint.old, tmp → checkpoint, drop old. A crash between the renames
    // leaves checkpoint.old, which resume() falls back to.
    io::remove_tree(old);
    if (fs::exists(checkpoint_dir())) fs::rename(checkpoint_dir(), old);
    fs::rename(tmp, checkpoint_dir());
    io::remove_tree(old);
  }

  void save_model(const fs::path& dir) { io::save_checkpoint(dir, io::module_tensors(*model.module), current_meta()); }

  // Loads the checkpoint; returns false when there is none.
  bool resume() {
    fs::path dir = checkpoint_dir();
    if (!fs::exists(dir / "state.json")) dir = training_dir() / "checkpoint.old";
    if (!fs::exists(dir / "state.json")) return false;
    const std::string source = (dir / "state.json").string();
    nlohmann::json j;
    try {
      std::ifstream in(dir / "state.json");
      j = nlohmann::json::parse(in);
      if (j.at("format") != "spe-studio-training-state") throw std::runtime_error("not a training state");
    } catch (const std::exception& e) {
      throw std::runtime_error(source + ": cannot resume: " + e.what());
    }
    auto ckpt = io::load_checkpoint(dir, {.device = device, .dtype = std::nullopt, .verify_sha256 = true});
    io::load_into_module(*model.module, ckpt.tensors, {}, dir.string());
    // The run's history is the one it began with: --init-from may name a folder the run's own earlier
    // steps have since been exported into, whose history would count those steps twice.
    if (ckpt.meta.history.is_array()) meta.history = ckpt.meta.history;
    {
      torch::serialize::InputArchive archive;
      archive.load_from((dir / "optimizer.pt").string(), device);
      optimizer->load(archive);
    }
    try {
      sampler.restore_state(j.at("sampler").dump());
    } catch (const std::exception& e) {
      throw std::runtime_error(source + ": cannot resume: " + e.what());
    }
    step = j.at("step").get<std::int64_t>();
    opt.seed = j.at("seed").get<std::uint64_t>();
    feature_seed = j.at("feature_seed").get<std::uint64_t>();
    last_loss = j.value("last_loss", std::numeric_limits<double>::quiet_NaN());
    if (j.contains("best_val_loss")) best_val = j["best_val_loss"].get<double>();
    if (j.contains("last_val_loss")) last_val = j["last_val_loss"].get<double>();
    return true;
  }

  double validate() {
    if (validation.empty()) return std::numeric_limits<double>::quiet_NaN();
    torch::NoGradGuard no_grad;
    model.module->eval();
    const int n = sampler_seq_len;
    const int rows = std::max(1, sampler_batch);
    double total = 0;
    std::int64_t count = 0;
    for (std::size_t first = 0, chunk = 0; first < validation.size(); first += static_cast<std::size_t>(rows), ++chunk) {
      const int b = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(rows), validation.size() - first));
      std::vector<std::int32_t> in(static_cast<std::size_t>(b) * n, pad_id), tg(static_cast<std::size_t>(b) * n, kIgnoreTarget);
      for (int r = 0; r < b; ++r) {
        const auto& song = validation[first + static_cast<std::size_t>(r)];
        const std::size_t len = std::min(song.size(), static_cast<std::size_t>(n) + 1);
        for (std::size_t i = 0; i + 1 < len; ++i) {
          in[static_cast<std::size_t>(r) * n + i] = song[i];
          tg[static_cast<std::size_t>(r) * n + i] = song[i + 1];
        }
      }
      NoiseSeeds seeds{derive_seed(opt.seed, chunk, kValStream), derive_seed(opt.seed, 0, kValStream)};
      torch::Tensor logits;
      {
        AutocastScope autocast(opt.bf16_autocast, device.is_cuda());
        logits = model.logits(to_tensor(in, b, n, device), seeds);
      }
      auto loss = torch::nn::functional::cross_entropy(
          logits.to(torch::kFloat).reshape({-1, logits.size(-1)}), to_tensor(tg, b, n, device).reshape({-1}),
          torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kIgnoreTarget).reduction(torch::kSum));
      total += loss.item<double>();
      for (auto t : tg) count += t != kIgnoreTarget;
    }
    model.module->train();
    return count > 0 ? total / static_cast<double>(count) : std::numeric_limits<double>::quiet_NaN();
  }
  int sampler_batch = 1;
  std::int32_t pad_id = 0;

  TrainResult run(const TrainCallbacks& cb) {
    auto say = [&](const std::string& m) {
      if (cb.on_message) cb.on_message(m);
    };
    TrainResult result;
    if (opt.resume) {
      if (resume()) {
        result.resumed_from = step;
        say("resumed from step " + std::to_string(step) + " (" + checkpoint_dir().string() + ")");
      } else {
        say("no checkpoint in " + training_dir().string() + ": starting fresh");
      }
    } else if (fs::exists(checkpoint_dir()) || fs::exists(training_dir() / "checkpoint.old")) {
      throw std::runtime_error(opt.out_dir.string() +
                               ": holds a training checkpoint; use --resume to continue it or choose another --out");
    }
    if (group) {
      if (result.resumed_from == 0) group->broadcast_from_rank0(model.module->parameters());
      group->barrier();
    }
    std::optional<TrainLog> log;
    if (lead())
      log.emplace(training_dir() / "log.csv", result.resumed_from > 0 ? std::optional<std::int64_t>(step) : std::nullopt);
    model.module->train();
    const auto params = model.module->parameters();
    const auto t0 = std::chrono::steady_clock::now();
    double target_tokens = 0;
    const std::int64_t first_step = step + 1;

    while (step < opt.steps) {
      bool stop = cb.should_stop && cb.should_stop();
      if (group) stop = group->sum(stop ? 1.0 : 0.0) > 0;  // all ranks stop at the same step
      if (stop) {
        result.interrupted = true;
        say("stopping at step " + std::to_string(step) + ": saving checkpoint");
        break;
      }
      const std::int64_t s = step + 1;
      const double lr = schedule.at(s);
      set_lr(lr);
      TokenBatch batch = sampler.next();
      if (group) batch = slice_rows(batch, opt.rank * (batch.batch / opt.world_size), batch.batch / opt.world_size);
      const bool redraw = (opt.feature_redraw_every > 0 && (s - 1) % opt.feature_redraw_every == 0) ||
                          (opt.feature_redraw_probability > 0 &&
                           uniform01(derive_seed(opt.seed, static_cast<std::uint64_t>(s), kRedrawStream)) <
                               opt.feature_redraw_probability);
      if (redraw) feature_seed = derive_seed(opt.seed, static_cast<std::uint64_t>(s), kFeatureStream);
      const NoiseSeeds seeds{derive_seed(opt.seed, static_cast<std::uint64_t>(s), kCodeStream), feature_seed};
      torch::manual_seed(derive_seed(opt.seed, static_cast<std::uint64_t>(s), kDropoutStream) + static_cast<std::uint64_t>(opt.rank));

      torch::Tensor logits;
      {
        AutocastScope autocast(opt.bf16_autocast, device.is_cuda());
        logits = model.logits(to_tensor(batch.inputs, batch.batch, batch.seq_len, device), seeds);
      }
      const auto flat_logits = logits.to(torch::kFloat).reshape({-1, logits.size(-1)});
      const auto flat_targets = to_tensor(batch.targets, batch.batch, batch.seq_len, device).reshape({-1});
      torch::Tensor loss;
      if (!group) {
        loss = torch::nn::functional::cross_entropy(
            flat_logits, flat_targets, torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kIgnoreTarget));
      } else {
        // Sum over this rank's targets divided by the global target count: the rank losses (and, after
        // summing, the gradients) add up to the mean over the whole batch.
        const double global_count = group->sum(static_cast<double>(batch.target_count()));
        loss = torch::nn::functional::cross_entropy(
                   flat_logits, flat_targets,
                   torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kIgnoreTarget).reduction(torch::kSum)) /
               std::max(global_count, 1.0);
      }
      optimizer->zero_grad();
      loss.backward();
      if (group) group->sum_gradients(params);
      if (opt.clip_norm > 0) torch::nn::utils::clip_grad_norm_(params, opt.clip_norm);
      optimizer->step();

      step = s;
      last_loss = group ? group->sum(loss.item<double>()) : loss.item<double>();
      if (!std::isfinite(last_loss))
        throw std::runtime_error("training diverged at step " + std::to_string(s) + " (loss is not finite); lower --lr");
      result.losses.push_back(last_loss);
      target_tokens += static_cast<double>(batch.target_count());

      StepReport rep;
      rep.step = s;
      rep.steps = opt.steps;
      rep.epoch = sampler.epoch();
      rep.lr = lr;
      rep.loss = last_loss;
      rep.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      rep.tokens_per_s = rep.elapsed_s > 0 ? target_tokens / rep.elapsed_s : 0;
      rep.eta_s = rep.elapsed_s / static_cast<double>(s - first_step + 1) * static_cast<double>(opt.steps - s);
      if (lead() && ((opt.val_every > 0 && s % opt.val_every == 0) || s == opt.steps)) {
        const double v = validate();
        if (std::isfinite(v)) {
          rep.val_loss = last_val = v;
          if (!best_val || v < *best_val) {
            best_val = v;
            save_model(training_dir() / "best");
          }
        }
      }
      if (log) log->append({s, rep.epoch, lr, last_loss, rep.val_loss, rep.tokens_per_s, rep.elapsed_s});
      if (lead() && opt.ckpt_every > 0 && s % opt.ckpt_every == 0 && s != opt.steps) {
        save_checkpoint();
        rep.checkpointed = true;
      }
      if (cb.on_step) cb.on_step(rep);
    }
    if (lead()) {
      save_checkpoint();
      save_model(opt.out_dir);
    } else {
      save_model(training_dir() / ("rank" + std::to_string(opt.rank)));
    }
    if (group) group->barrier();
    result.steps_done = step;
    if (!result.losses.empty()) {
      result.first_loss = result.losses.front();
      result.last_loss = result.losses.back();
      const std::size_t k = std::min<std::size_t>(50, result.losses.size());
      double sum = 0;
      for (std::size_t i = result.losses.size() - k; i < result.losses.size(); ++i) sum += result.losses[i];
      result.mean_loss_last = sum / static_cast<double>(k);
    }
    result.last_val_loss = last_val;
    result.best_val_loss = best_val;
    return result;
  }
};

Trainer::Trainer(TrainableLM model, BatchSampler sampler, std::vector<TokenSeq> validation, TrainOptions options,
                 io::CheckpointMeta meta)
    : impl_(std::make_unique<Impl>(std::move(model), std::move(sampler), std::move(validation), std::move(options),
                                   std::move(meta))) {}

Trainer::~Trainer() = default;

TrainResult Trainer::run(const TrainCallbacks& callbacks) { return impl_->run(callbacks); }
double Trainer::validate() { return impl_->validate(); }

}  // namespace spe::train
