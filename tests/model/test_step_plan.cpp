// DecoderStepPlan must reproduce PerformerLM::step: every PE kind × feature map, batch 1 (the addmv path)
// and batch 3 (the addmm path), float64 to round-off and float32 within 1e-5, from the start of a sequence
// and from a state handed over mid-sequence (adopt / release round trips).
#include "torch_catch.hpp"

#include "model/performer.hpp"
#include "model/step_plan.hpp"
#include "model_test_helpers.hpp"

using namespace spe::model;

namespace {

double max_relative_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).abs().max() / b.abs().max()).item<double>();
}

torch::Tensor random_tokens(std::int64_t batch, std::int64_t length, int vocab, std::uint64_t seed) {
  at::Generator g = at::detail::createCPUGenerator(seed);
  return torch::randint(0, vocab, {batch, length}, g, torch::dtype(torch::kInt64));
}

struct Pe {
  PositionalKind kind;
  bool gated;
  bool share;
};

const std::vector<Pe> kAllKinds = {
    {PositionalKind::none, false, true},        {PositionalKind::ape_sine, false, true},
    {PositionalKind::ape_learned, false, true}, {PositionalKind::sine_spe, true, true},
    {PositionalKind::sine_spe, false, true},    {PositionalKind::sine_spe, true, false},
    {PositionalKind::conv_spe, true, true},     {PositionalKind::conv_spe, false, true},
    {PositionalKind::conv_spe, true, false}};

// Largest relative difference between the plan's and the model's logits over `tokens` (B, N).
double plan_vs_step(const PerformerLM& model, const torch::Tensor& tokens, const NoiseContext& noise) {
  DecoderStepPlan plan(model);
  GenerationState reference = model.begin_sequence(tokens.size(0), noise);
  StepPlanState fast = plan.adopt(model.begin_sequence(tokens.size(0), noise));
  double worst = 0.0;
  for (std::int64_t t = 0; t < tokens.size(1); ++t) {
    const torch::Tensor expected = model.step(reference, tokens.select(1, t));
    const torch::Tensor got = plan.step(fast, tokens.select(1, t));
    REQUIRE(got.sizes() == expected.sizes());
    worst = std::max(worst, max_relative_difference(got, expected));
  }
  CHECK(fast.position() == reference.position);
  return worst;
}

}  // namespace

TEST_CASE("step plan equals PerformerLM step for every PE kind and feature map") {
  for (const Pe& pe : kAllKinds) {
    for (FeatureMapKind map : {FeatureMapKind::favor, FeatureMapKind::relu, FeatureMapKind::elu}) {
      ModelConfig config = spe::test::tiny_config(pe.kind, map, pe.gated);
      config.spe.share_pe = pe.share;
      PerformerLM model(config, 7);
      model.eval();
      const NoiseContext noise(99);
      for (std::int64_t batch : {1, 3}) {
        INFO("pe " << to_string(pe.kind) << (pe.gated ? " gated" : " ungated") << (pe.share ? "" : " per-layer")
                   << ", feature map " << to_string(map) << ", batch " << batch);
        const torch::Tensor tokens = random_tokens(batch, 24, config.vocab_size, 3);
        model.to(torch::kFloat64);
        CHECK(plan_vs_step(model, tokens, noise) < 1e-10);
        model.to(torch::kFloat32);
        CHECK(plan_vs_step(model, tokens, noise) < 1e-5);
      }
    }
  }
}

TEST_CASE("step plan equals PerformerLM step on the small preset at batch 1") {
  for (PositionalKind kind : {PositionalKind::sine_spe, PositionalKind::conv_spe, PositionalKind::ape_sine}) {
    INFO("pe " << to_string(kind));
    PerformerLM model(small_config(kind), 3);
    model.eval();
    const torch::Tensor tokens = random_tokens(1, 12, model.config().vocab_size, 8);
    CHECK(plan_vs_step(model, tokens, NoiseContext(5)) < 1e-5);
  }
}

TEST_CASE("a state adopted mid-sequence and released again continues the same sequence") {
  ModelConfig config = spe::test::tiny_config(PositionalKind::conv_spe, FeatureMapKind::favor, true);
  PerformerLM model(config, 2);
  model.eval();
  model.to(torch::kFloat64);
  const NoiseContext noise(17);
  const torch::Tensor tokens = random_tokens(2, 30, config.vocab_size, 4);
  DecoderStepPlan plan(model);

  GenerationState reference = model.begin_sequence(2, noise);
  GenerationState handed = model.begin_sequence(2, noise);
  for (int t = 0; t < 10; ++t) {
    model.step(reference, tokens.select(1, t));
    model.step(handed, tokens.select(1, t));
  }
  StepPlanState fast = plan.adopt(std::move(handed));
  for (int t = 10; t < 20; ++t) {
    const torch::Tensor expected = model.step(reference, tokens.select(1, t));
    CHECK(max_relative_difference(plan.step(fast, tokens.select(1, t)), expected) < 1e-10);
  }
  GenerationState back = plan.release(std::move(fast));
  REQUIRE(back.attention.size() == reference.attention.size());
  for (std::size_t l = 0; l < back.attention.size(); ++l) {
    CHECK(max_relative_difference(back.attention[l].S, reference.attention[l].S) < 1e-12);
    CHECK(max_relative_difference(back.attention[l].z, reference.attention[l].z) < 1e-12);
  }
  for (int t = 20; t < 30; ++t) {
    const torch::Tensor expected = model.step(reference, tokens.select(1, t));
    CHECK(max_relative_difference(model.step(back, tokens.select(1, t)), expected) < 1e-10);
  }
}

TEST_CASE("a copy of a plan state steps exactly as the original and independently of it") {
  // Float32 on the CPU: the plan's own loops (gated SPE mixing, SPE filter, attention) run.
  for (PositionalKind kind : {PositionalKind::sine_spe, PositionalKind::conv_spe}) {
    INFO("pe " << to_string(kind));
    ModelConfig config = spe::test::tiny_config(kind, FeatureMapKind::favor, true);
    PerformerLM model(config, 3);
    model.eval();
    const torch::Tensor tokens = random_tokens(2, 24, config.vocab_size, 6);
    DecoderStepPlan plan(model);
    StepPlanState original = plan.adopt(model.begin_sequence(2, NoiseContext(21)));
    for (int t = 0; t < 8; ++t) plan.step(original, tokens.select(1, t));
    StepPlanState copied = plan.copy(original);
    StepPlanState round_trip = plan.adopt(plan.snapshot(original));
    CHECK(copied.position() == original.position());
    // The copy first runs ahead on other tokens: the original must not notice.
    StepPlanState ahead = plan.copy(original);
    for (int t = 8; t < 16; ++t) plan.step(ahead, tokens.select(1, 23 - t));
    for (int t = 8; t < 24; ++t) {
      const torch::Tensor a = plan.step(original, tokens.select(1, t));
      CHECK(torch::equal(plan.step(copied, tokens.select(1, t)), a));
      CHECK(torch::equal(plan.step(round_trip, tokens.select(1, t)), a));
    }
  }
}

TEST_CASE("begin_sequence_at opens the code streams exactly where stepping would be") {
  for (PositionalKind kind : {PositionalKind::sine_spe, PositionalKind::conv_spe}) {
    INFO("pe " << to_string(kind));
    ModelConfig config = spe::test::tiny_config(kind, FeatureMapKind::favor, true);
    PerformerLM model(config, 1);
    model.eval();
    const NoiseContext noise(8);
    const std::int64_t position = 37;
    c10::InferenceMode guard;  // code streams hold inference tensors
    GenerationState stepped = model.begin_sequence(1, noise);
    for (std::int64_t t = 0; t < position; ++t) stepped.codes[0]->next();
    GenerationState jumped = begin_sequence_at(model, 1, noise, position, 0.5);
    CHECK(jumped.position == position);
    const SpeCodes a = stepped.codes[0]->next();
    const SpeCodes b = jumped.codes[0]->next();
    CHECK(max_relative_difference(b.q, a.q) < 1e-6);
    CHECK(max_relative_difference(b.k, a.k) < 1e-6);
    CHECK(jumped.attention[0].S.min().item<double>() == 0.5);
    CHECK(jumped.attention[0].z.max().item<double>() == 0.5 * config.feature_map.n_features);
    // The plan steps from there and keeps producing finite logits.
    DecoderStepPlan plan(model);
    StepPlanState fast = plan.adopt(std::move(jumped));
    const torch::Tensor logits = plan.step(fast, torch::tensor({3}, torch::kInt64));
    CHECK(torch::isfinite(logits).all().item<bool>());
    CHECK(fast.position() == position + 1);
  }
}

TEST_CASE("step plan rejects foreign states and wrong token counts") {
  ModelConfig config = spe::test::tiny_config(PositionalKind::sine_spe, FeatureMapKind::favor, true);
  PerformerLM model(config, 1);
  DecoderStepPlan plan(model);
  CHECK_THROWS_AS(plan.adopt(GenerationState{}), std::invalid_argument);
  StepPlanState state = plan.adopt(model.begin_sequence(2, NoiseContext(1)));
  CHECK_THROWS_AS(plan.step(state, torch::tensor({1}, torch::kInt64)), std::invalid_argument);
}

TEST_CASE("step plan with BF16 weights stays within BF16 rounding of the float32 step") {
  // BF16 keeps 8 significant bits: each weight and each layer input is rounded by ≤ 2^-9 ≈ 2e-3
  // relative. Over 4 layers × 4 products of random-sign errors, amplified by the attention's
  // normalisation, the logits move by a few 2^-9 of their scale (measured: 0.7–0.8 % with sine and
  // APE, 3.1 % with conv over 16 steps); 6e-2 leaves room for that while any real defect (a wrong
  // matrix, bias or layout) gives O(1) errors.
  for (PositionalKind kind : {PositionalKind::sine_spe, PositionalKind::conv_spe, PositionalKind::ape_sine}) {
    INFO("pe " << to_string(kind));
    PerformerLM model(small_config(kind), 6);
    model.eval();
    {
      // Weights of the reference init are N(0, 0.01): logits would be ≈ bias. Larger weights make the
      // logits depend on every layer, so the comparison sees the BF16 path of all of them.
      torch::NoGradGuard no_grad;
      for (auto& p : model.named_parameters())
        if (p.key().find("weight") != std::string::npos && p.key().find("norm") == std::string::npos)
          p.value().mul_(5.0);
    }
    StepPlanOptions options;
    options.bf16_weights = true;
    DecoderStepPlan plan(model, options);
    const NoiseContext noise(2);
    GenerationState reference = model.begin_sequence(1, noise);
    StepPlanState fast = plan.adopt(model.begin_sequence(1, noise));
    const torch::Tensor tokens = random_tokens(1, 16, model.config().vocab_size, 9);
    double worst = 0.0, agreement = 0.0;
    for (std::int64_t t = 0; t < tokens.size(1); ++t) {
      const torch::Tensor expected = model.step(reference, tokens.select(1, t));
      const torch::Tensor got = plan.step(fast, tokens.select(1, t));
      worst = std::max(worst, max_relative_difference(got, expected));
      agreement += (got.argmax(-1) == expected.argmax(-1)).item<bool>() ? 1.0 : 0.0;
    }
    WARN("BF16 weights: max relative logit error " << worst);
    CHECK(worst > 0.0);  // the BF16 path really ran
    CHECK(worst < 6e-2);
    CHECK(agreement >= 14.0);  // the most likely token is almost always the same
  }
}

TEST_CASE("column-major weights change neither the model step nor the plan") {
  ModelConfig config = spe::test::tiny_config(PositionalKind::sine_spe, FeatureMapKind::favor, true);
  PerformerLM model(config, 4);
  model.eval();
  model.to(torch::kFloat64);
  const NoiseContext noise(6);
  const torch::Tensor tokens = random_tokens(1, 12, config.vocab_size, 2);
  GenerationState before = model.begin_sequence(1, noise);
  std::vector<torch::Tensor> expected;
  for (std::int64_t t = 0; t < tokens.size(1); ++t) expected.push_back(model.step(before, tokens.select(1, t)));

  store_weights_column_major(model);
  const torch::Tensor& w1 = model.transformer_decoder->layer(1).linear1->weight;
  CHECK(w1.stride(0) == 1);
  CHECK(w1.stride(1) == w1.size(0));
  DecoderStepPlan plan(model);
  GenerationState after = model.begin_sequence(1, noise);
  StepPlanState fast = plan.adopt(model.begin_sequence(1, noise));
  for (std::int64_t t = 0; t < tokens.size(1); ++t) {
    CHECK(max_relative_difference(model.step(after, tokens.select(1, t)), expected[t]) < 1e-12);
    CHECK(max_relative_difference(plan.step(fast, tokens.select(1, t)), expected[t]) < 1e-10);
  }
}
