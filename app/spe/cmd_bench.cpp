// `spe bench`: milliseconds per generated token of the recurrent step at chosen positions, for the
// paper's architectures with random weights. Each position is reached with begin_sequence_at (code
// streams opened exactly there, attention states filled: a step there costs what it costs after
// `position` real steps), then warmed up and timed token by token over --steps steps.
// With --json the output is one JSON line (see print_json).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <time.h>

#include <c10/core/InferenceMode.h>
#include <nlohmann/json.hpp>
#if __has_include(<torch/csrc/autograd/profiler_legacy.h>)
#include <torch/csrc/autograd/profiler_legacy.h>
#define SPE_HAVE_LEGACY_PROFILER 1
#endif
#include <torch/cuda.h>
#include <torch/torch.h>

#include "command.hpp"
#include "model/config.hpp"
#include "model/performer.hpp"
#include "model/cpu/memory_bandwidth.hpp"
#include "model/step_plan.hpp"

namespace {

struct BenchArgs {
  std::string config = "pop";
  std::string pe = "sine";
  std::vector<std::int64_t> positions = {256, 4096, 16384};
  std::int64_t batch = 1;
  int threads = 0;
  std::string device = "cpu";
  std::string dtype;  // empty: what takes use under --impl auto, f32 otherwise
  std::string impl = "plan";
  int steps = 32;
  int warmup = 4;
  std::uint64_t seed = 0;
  std::string trace;  // Chrome trace of the timed steps of the first position
  bool json = false;
};

struct Stats {
  double median = 0, mean = 0, min = 0, max = 0, p10 = 0, p90 = 0;
};

Stats summarise(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  auto quantile = [&](double q) {
    const double at = q * static_cast<double>(samples.size() - 1);
    const auto lo = static_cast<std::size_t>(at);
    const auto hi = std::min(lo + 1, samples.size() - 1);
    return samples[lo] + (samples[hi] - samples[lo]) * (at - static_cast<double>(lo));
  };
  Stats s;
  s.median = quantile(0.5);
  s.p10 = quantile(0.1);
  s.p90 = quantile(0.9);
  s.min = samples.front();
  s.max = samples.back();
  for (double x : samples) s.mean += x / static_cast<double>(samples.size());
  return s;
}

// Resident set size of this process in MiB (Linux), 0 when unknown.
double rss_mb() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      double kb = 0;
      status >> kb;
      return kb / 1024.0;
    }
    status.ignore(1 << 12, '\n');
  }
  return 0.0;
}

// CPU time of the whole process (all threads) in ms: under contention from other processes a token's
// wall time mostly measures the CPU share it got; its CPU time stays close to the quiet-machine cost.
double process_cpu_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

struct Samples {
  std::vector<double> wall_ms, cpu_ms;
};

// Per-token milliseconds over `args.steps` steps, starting at `position`. Reading one logit forces the
// step to complete (on CUDA this synchronises the stream) before the clock is read.
Samples time_position(const spe::model::PerformerLM& model, const spe::model::DecoderStepPlan* plan,
                                  const BenchArgs& args, std::int64_t position, torch::Device device) {
  namespace sm = spe::model;
  c10::InferenceMode guard;
  const sm::NoiseContext noise(args.seed);
  sm::GenerationState state = sm::begin_sequence_at(model, args.batch, noise, position);
  std::optional<sm::StepPlanState> fast;
  if (plan) fast.emplace(plan->adopt(std::move(state)));
  const auto vocab = model.config().vocab_size;
  Samples samples;
#ifdef SPE_HAVE_LEGACY_PROFILER
  std::unique_ptr<torch::autograd::profiler::RecordProfile> profile;
#endif
  for (int t = 0; t < args.warmup + args.steps; ++t) {
#ifdef SPE_HAVE_LEGACY_PROFILER
    if (t == args.warmup && !args.trace.empty() && position == args.positions.front())
      profile = std::make_unique<torch::autograd::profiler::RecordProfile>(args.trace);
#endif
    const torch::Tensor tokens =
        torch::full({args.batch}, (t * 7919 + 11) % vocab, torch::dtype(torch::kInt64)).to(device);
    const double cpu_start = process_cpu_ms();
    const auto start = std::chrono::steady_clock::now();
    const torch::Tensor logits = fast ? plan->step(*fast, tokens) : model.step(state, tokens);
    logits.select(0, 0).select(0, 0).item<float>();
    const auto stop = std::chrono::steady_clock::now();
    const double cpu_stop = process_cpu_ms();
    if (t >= args.warmup) {
      samples.wall_ms.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
      samples.cpu_ms.push_back(cpu_stop - cpu_start);
    }
  }
  return samples;
}

void run(const BenchArgs& args) {
  namespace sm = spe::model;
  if (args.steps < 16) throw spe::cli::UsageError("bench: --steps must be at least 16");
#ifndef SPE_HAVE_LEGACY_PROFILER
  if (!args.trace.empty()) throw spe::cli::UsageError("bench: --trace needs LibTorch's legacy profiler (not in this build)");
#endif
  if (args.positions.empty()) throw spe::cli::UsageError("bench: --positions needs at least one position");
  for (auto p : args.positions)
    if (p < 0) throw spe::cli::UsageError("bench: position " + std::to_string(p) + " is negative");
  if (args.device == "cuda" && !torch::cuda::is_available())
    throw spe::cli::UsageError(
        "bench: --device cuda needs a CUDA-enabled LibTorch and a visible GPU (this build or machine has none)");
  const torch::Device device = args.device == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  // auto: what generate::Model uses for takes (the plan on the CPU, PerformerLM::step elsewhere).
  const std::string impl = args.impl == "auto" ? (device.is_cpu() ? "plan" : "step") : args.impl;
  if (args.dtype == "bf16" && impl != "plan")
    throw spe::cli::UsageError("bench: --dtype bf16 is a DecoderStepPlan option (BF16 weights): use --impl plan");
  if (args.dtype == "bf16" && !device.is_cpu())
    throw spe::cli::UsageError("bench: --dtype bf16 runs the CPU kernel: use --device cpu");
  if (args.threads > 0) torch::set_num_threads(args.threads);

  const sm::PositionalKind pe = sm::positional_kind_from_string(args.pe);
  const sm::ModelConfig config = sm::preset_config(args.config, pe);
  if (pe == sm::PositionalKind::ape_learned)
    for (auto p : args.positions)
      if (p + args.warmup + args.steps > config.ape_max_len)
        throw spe::cli::UsageError("bench: a learned APE covers " + std::to_string(config.ape_max_len) +
                                   " positions; position " + std::to_string(p) + " plus the timed steps is beyond");
  sm::PerformerLM model(config, args.seed);
  model.eval();
  model.to(device);
  std::int64_t parameters = 0;
  for (const auto& p : model.parameters()) parameters += p.numel();
  sm::StepPlanOptions plan_options;
  // Under --impl auto without --dtype: the weights takes would use (model::bf16_step_pays_off).
  const std::string dtype = !args.dtype.empty()               ? args.dtype
                            : args.impl == "auto" && impl == "plan" && sm::bf16_step_pays_off(model) ? "bf16"
                                                                                                       : "f32";
  plan_options.bf16_weights = dtype == "bf16";
  // Built only when timed: its weight copies would otherwise inflate the RSS of --impl step.
  std::optional<sm::DecoderStepPlan> plan;
  if (impl == "plan") {
    if (!plan_options.bf16_weights) sm::store_weights_column_major(model);  // the plan aliases, not copies
    plan.emplace(model, plan_options);
  }

  std::map<std::int64_t, Stats> stats, cpu_stats;
  std::map<std::int64_t, double> rss;
  for (auto position : args.positions) {
    const Samples samples = time_position(model, plan ? &*plan : nullptr, args, position, device);
    stats[position] = summarise(samples.wall_ms);
    cpu_stats[position] = summarise(samples.cpu_ms);
    rss[position] = rss_mb();
  }

  // The weight-streaming limit: the bytes of the matrices a step reads once per token (the plan's four per
  // layer at 2 or 4 bytes, the F32 output head) over the measured read bandwidth of this machine.
  const sm::ModelConfig& c = model.config();
  const double weight_bytes =
      sm::step_matrix_bytes(c, dtype == "bf16" ? 2.0 : 4.0) + 4.0 * c.vocab_size * static_cast<double>(c.d_model);
  const spe::model::cpu::BandwidthMeasurement bandwidth =
      device.is_cpu() ? spe::model::cpu::measure_read_bandwidth() : spe::model::cpu::BandwidthMeasurement{};
  const double limit_ms = bandwidth.gb_per_s > 0 ? weight_bytes / (bandwidth.gb_per_s * 1e9) * 1e3 : 0.0;
  nlohmann::json ratios = nlohmann::json::object();
  for (auto position : args.positions)
    ratios[std::to_string(position)] = limit_ms > 0 ? stats[position].median / limit_ms : 0.0;

  if (!args.json) {
    if (limit_ms > 0)
      std::printf("memory read bandwidth %.1f GB/s (%d threads); %.1f MB of weights per token: limit %.3f ms/token\n",
                  bandwidth.gb_per_s, bandwidth.threads, weight_bytes / 1e6, limit_ms);
    std::printf("%s, pe %s, %s %s, batch %lld, %d thread(s), impl %s, %lld parameters\n", args.config.c_str(),
                sm::to_string(pe).c_str(), args.device.c_str(), dtype.c_str(), static_cast<long long>(args.batch),
                torch::get_num_threads(), impl.c_str(), static_cast<long long>(parameters));
    std::printf("%10s %10s %10s %10s %10s %10s %10s %10s %10s %10s\n", "position", "median ms", "p10", "p90", "min",
                "max", "cpu ms", "rss MiB", "tokens/s", "÷ limit");
    for (auto position : args.positions) {
      const Stats& s = stats[position];
      std::printf("%10lld %10.3f %10.3f %10.3f %10.3f %10.3f %10.3f %10.1f %10.0f %10.2f\n",
                  static_cast<long long>(position), s.median, s.p10, s.p90, s.min, s.max, cpu_stats[position].median,
                  rss[position], 1e3 * static_cast<double>(args.batch) / s.median,
                  ratios[std::to_string(position)].get<double>());
    }
    return;
  }
  nlohmann::json medians = nlohmann::json::object(), spread = nlohmann::json::object(),
                 cpu_medians = nlohmann::json::object(), rss_at = nlohmann::json::object();
  double rss_max = 0.0;
  for (auto position : args.positions) {
    const Stats& s = stats[position];
    const std::string key = std::to_string(position);
    medians[key] = s.median;
    spread[key] = {{"median", s.median}, {"mean", s.mean}, {"min", s.min}, {"p10", s.p10}, {"p90", s.p90},
                   {"max", s.max}};
    cpu_medians[key] = cpu_stats[position].median;
    rss_at[key] = rss[position];
    rss_max = std::max(rss_max, rss[position]);
  }
  const char* wait_policy = std::getenv("OMP_WAIT_POLICY");
  nlohmann::json out = {{"config", args.config},
                        {"pe", sm::to_string(pe)},
                        {"impl", impl},
                        {"device", args.device},
                        {"dtype", dtype},
                        {"bandwidth_gb_per_s", bandwidth.gb_per_s},
                        {"weight_mb_per_token", weight_bytes / 1e6},
                        {"streaming_limit_ms", limit_ms},
                        {"ratio_to_limit", ratios},
                        {"tokens_per_s", 1e3 * static_cast<double>(args.batch) / stats[args.positions.front()].median},
                        {"threads", torch::get_num_threads()},
                        {"batch", args.batch},
                        {"steps", args.steps},
                        {"parameters", parameters},
                        {"ms_per_token", medians},
                        {"ms_per_token_stats", spread},
                        {"cpu_ms_per_token", cpu_medians},
                        {"rss_mb", rss_max},
                        {"rss_mb_at", rss_at},
                        {"omp_wait_policy", wait_policy ? nlohmann::json(wait_policy) : nlohmann::json(nullptr)}};
  std::cout << out.dump() << "\n";
}

spe::cli::RegisterCommand reg([](CLI::App& root) {
  auto args = std::make_shared<BenchArgs>();
  auto* cmd = root.add_subcommand("bench", "milliseconds per generated token of the recurrent step (random weights)");
  cmd->add_option("--config", args->config, "architecture preset: pop, groove or small (default pop)")
      ->check(CLI::IsMember({"pop", "groove", "small"}));
  cmd->add_option("--pe", args->pe, "positional encoding: ape, sine, conv (or a full name; default sine)");
  cmd->add_option("--positions", args->positions, "comma-separated positions to time (default 256,4096,16384)")
      ->delimiter(',');
  cmd->add_option("--batch", args->batch, "sequences stepped together (default 1)")->check(CLI::PositiveNumber);
  cmd->add_option("--threads", args->threads, "LibTorch intra-op threads (default: LibTorch's own)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--device", args->device, "cpu or cuda (default cpu)")->check(CLI::IsMember({"cpu", "cuda"}));
  cmd->add_option("--dtype", args->dtype, "f32, or bf16: the plan's big matrices in BF16, states and sums in F32 (default f32)")
      ->check(CLI::IsMember({"f32", "bf16"}));
  cmd->add_option("--impl", args->impl,
                  "plan (DecoderStepPlan, default), step (PerformerLM::step) or auto (what takes use: plan on the CPU)")
      ->check(CLI::IsMember({"plan", "step", "auto"}));
  cmd->add_option("--steps", args->steps, "timed steps per position (default 32, at least 16)");
  cmd->add_option("--warmup", args->warmup, "untimed steps before each position's timing (default 4)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", args->seed, "weights and noise seed (default 0)");
  cmd->add_option("--trace", args->trace,
                  "write a Chrome trace (every ATen op) of the first position's timed steps to this file");
  cmd->add_flag("--json", args->json, "print one JSON line");
  cmd->callback([args] { run(*args); });
});

}  // namespace
