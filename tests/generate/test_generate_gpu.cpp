// The engine on CUDA (label `gpu`; runs only where the linked LibTorch has CUDA and a GPU is present).
#include "random_model.hpp"  // first: see its note on glog's CHECK

#include <torch/cuda.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>

#include "generate/model.hpp"
#include "generate/session.hpp"
#include "generate/take.hpp"
#include "test_paths.hpp"

using namespace spe;
using namespace spe::generate;
namespace fs = std::filesystem;

namespace {

fs::path gpu_model_dir(const std::string& scheme) {
  test::RandomModelSpec spec;
  spec.scheme = scheme;
  spec.d_model = 128;
  spec.layers = 4;
  spec.heads = 4;
  spec.d_ff = 256;
  spec.name = "random-gpu-" + scheme;
  return test::make_random_model(test::scratch_dir("generate-gpu-" + scheme), spec);
}

std::vector<CandidateTrace> run(const Model& m, GenerationParams p, const std::vector<int>& prompt = {}) {
  GenerationSession s(m.incremental(), m.scheme(), p);
  s.start(prompt);
  s.run();
  return s.candidates();
}

}  // namespace

TEST_CASE("CUDA: takes are valid, reproducible by seed, and candidates equal single takes", "[gpu]") {
  if (!torch::cuda::is_available()) {
    WARN("SKIPPED: this LibTorch has no usable CUDA device");
    return;
  }
  for (const std::string scheme : {"remi", "event"}) {
    INFO(scheme);
    auto m = Model::load(gpu_model_dir(scheme), {"cuda"});
    CHECK(m->device().rfind("cuda", 0) == 0);
    GenerationParams p = default_generation_params(scheme);
    p.seed = 21;
    p.length = 300;
    p.stop_at_eos = false;
    const auto a = run(*m, p), b = run(*m, p);
    CHECK(a[0].tokens == b[0].tokens);
    GenerationParams other = p;
    other.seed = 22;
    CHECK(run(*m, other)[0].tokens != a[0].tokens);
    const Take take = make_take(m->tokenizer(), a[0], 0);
    CHECK(take.decode_report.empty());
    CHECK(a[0].invalid_positions.empty());

    GenerationParams batched = p;
    batched.candidates = 4;
    const auto many = run(*m, batched);
    for (int c = 0; c < 4; ++c) {
      GenerationParams single = p;
      single.first_candidate = c;
      CHECK(run(*m, single)[0].tokens == many[c].tokens);
    }
  }
}

TEST_CASE("CUDA and CPU see the same noise: their logits agree to float rounding", "[gpu]") {
  if (!torch::cuda::is_available()) {
    WARN("SKIPPED: this LibTorch has no usable CUDA device");
    return;
  }
  const fs::path dir = gpu_model_dir("remi");
  auto gpu = Model::load(dir, {"cuda"});
  auto cpu = Model::load(dir, {"cpu"});
  GenerationParams p = default_generation_params("remi");
  p.seed = 5;
  p.length = 40;
  p.stop_at_eos = false;
  // The CPU take's tokens are fed to both models as a prompt; the next-token logits must match.
  const auto tokens = run(*cpu, p)[0].tokens;
  std::vector<float> lc, lg;
  GenerationCallbacks cc, cg;
  cc.on_logits = [&](int, std::span<const float> l) { lc.assign(l.begin(), l.end()); };
  cg.on_logits = [&](int, std::span<const float> l) { lg.assign(l.begin(), l.end()); };
  GenerationSession sc(cpu->incremental(), cpu->scheme(), p), sg(gpu->incremental(), gpu->scheme(), p);
  sc.start(tokens);
  sg.start(tokens);
  sc.step(cc);
  sg.step(cg);
  REQUIRE(lc.size() == lg.size());
  double max_diff = 0.0, max_abs = 0.0;
  for (std::size_t i = 0; i < lc.size(); ++i) {
    max_diff = std::max(max_diff, double(std::abs(lc[i] - lg[i])));
    max_abs = std::max(max_abs, double(std::abs(lc[i])));
  }
  INFO("max |cpu - cuda| = " << max_diff << ", max |logit| = " << max_abs);
  CHECK(max_diff <= 1e-3 * std::max(1.0, max_abs));  // TF32 matmuls allow ~1e-3 relative
}

TEST_CASE("CUDA: pop-piano sized model generation speed (informational, no assertion on time)", "[gpu]") {
  if (!torch::cuda::is_available()) {
    WARN("SKIPPED: this LibTorch has no usable CUDA device");
    return;
  }
  test::RandomModelSpec spec;
  spec.d_model = 512;
  spec.layers = 24;
  spec.heads = 8;
  spec.d_ff = 2048;
  spec.name = "random-pop-size";
  auto m = Model::load(test::make_random_model(test::scratch_dir("generate-gpu-pop"), spec), {"cuda"});
  for (int candidates : {1, 8}) {
    GenerationParams p = default_generation_params("remi");
    p.seed = 1;
    p.length = 1000;
    p.candidates = candidates;
    p.stop_at_eos = false;
    p.end_cleanly = false;
    GenerationSession s(m->incremental(), m->scheme(), p);
    s.start({});
    const auto t0 = std::chrono::steady_clock::now();
    s.run();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(s.candidates()[0].generated() == 1000);
    WARN("24-layer d512 model on CUDA, " << candidates << " candidate(s): " << 1000.0 / seconds
                                         << " steps/s, " << candidates * 1000.0 / seconds << " tokens/s");
  }
}
