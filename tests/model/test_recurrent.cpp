// The recurrent generator must reproduce the parallel forward exactly when both use the same
// NoiseContext (SPE.md §6.4): every positional encoding × feature map, float64 and float32.
#include "torch_catch.hpp"


#include "model/performer.hpp"
#include "model_test_helpers.hpp"

using namespace spe::model;

namespace {

torch::Tensor recurrent_logits(const PerformerLM& model, const torch::Tensor& tokens, const NoiseContext& noise) {
  GenerationState state = model.begin_sequence(tokens.size(0), noise);
  std::vector<torch::Tensor> steps;
  for (std::int64_t t = 0; t < tokens.size(1); ++t) steps.push_back(model.step(state, tokens.select(1, t)));
  return torch::stack(steps, 1);
}

double max_relative_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).abs().max() / b.abs().max()).item<double>();
}

torch::Tensor random_tokens(std::int64_t batch, std::int64_t length, int vocab, std::uint64_t seed) {
  at::Generator g = at::detail::createCPUGenerator(seed);
  return torch::randint(0, vocab, {batch, length}, g, torch::dtype(torch::kInt64));
}

}  // namespace

TEST_CASE("recurrent step equals the parallel forward for every PE kind and feature map") {
  struct Pe {
    PositionalKind kind;
    bool gated;
    bool share;
  };
  const std::vector<Pe> kinds = {
      {PositionalKind::none, false, true},     {PositionalKind::ape_sine, false, true},
      {PositionalKind::ape_learned, false, true}, {PositionalKind::sine_spe, true, true},
      {PositionalKind::sine_spe, false, true}, {PositionalKind::sine_spe, true, false},
      {PositionalKind::conv_spe, true, true},  {PositionalKind::conv_spe, false, true},
      {PositionalKind::conv_spe, true, false}};
  for (const Pe& pe : kinds) {
    for (FeatureMapKind map : {FeatureMapKind::favor, FeatureMapKind::relu, FeatureMapKind::elu}) {
      ModelConfig config = spe::test::tiny_config(pe.kind, map, pe.gated);
      config.spe.share_pe = pe.share;
      INFO("pe " << to_string(pe.kind) << (pe.gated ? " gated" : " ungated") << (pe.share ? "" : " per-layer")
                 << ", feature map " << to_string(map));
      PerformerLM model(config, 11);
      model.eval();
      const torch::Tensor tokens = random_tokens(2, 40, config.vocab_size, 5);
      const NoiseContext noise(1234);

      model.to(torch::kFloat64);
      torch::Tensor parallel64 = model.forward(tokens, noise);
      torch::Tensor recurrent64 = recurrent_logits(model, tokens, noise);
      CHECK(max_relative_difference(recurrent64, parallel64) < 1e-10);

      model.to(torch::kFloat32);
      torch::Tensor parallel32 = model.forward(tokens, noise);
      torch::Tensor recurrent32 = recurrent_logits(model, tokens, noise);
      CHECK(max_relative_difference(recurrent32, parallel32) < 1e-4);
      // float32 agrees with float64 too: the noise is the same values, rounded once.
      CHECK(max_relative_difference(parallel32.to(torch::kFloat64), parallel64) < 1e-4);
    }
  }
}

TEST_CASE("recurrent step stays exact far beyond the training length and past the conv buffer") {
  for (PositionalKind kind : {PositionalKind::sine_spe, PositionalKind::conv_spe, PositionalKind::ape_sine}) {
    INFO("pe " << to_string(kind));
    ModelConfig config = spe::test::tiny_config(kind, FeatureMapKind::favor);
    config.ape_max_len = 64;  // the sinusoidal table is extended on the fly beyond 64 rows
    PerformerLM model(config, 2);
    model.eval();
    model.to(torch::kFloat64);
    const torch::Tensor tokens = random_tokens(1, 10 * config.train_len, config.vocab_size, 9);  // 640 tokens
    const NoiseContext noise(77);
    CHECK(max_relative_difference(recurrent_logits(model, tokens, noise), model.forward(tokens, noise)) < 1e-9);
  }
}

TEST_CASE("learned APE refuses positions beyond its table with a clear message") {
  ModelConfig config = spe::test::tiny_config(PositionalKind::ape_learned, FeatureMapKind::favor);
  PerformerLM model(config);
  model.eval();
  CHECK_THROWS_WITH(model.forward(random_tokens(1, config.ape_max_len + 1, config.vocab_size, 1), NoiseContext(1)),
                    Catch::Contains("beyond"));
}

TEST_CASE("generation state snapshots and restores and expands to candidates") {
  ModelConfig config = spe::test::tiny_config(PositionalKind::conv_spe, FeatureMapKind::favor);
  PerformerLM model(config, 4);
  model.eval();
  const torch::Tensor tokens = random_tokens(1, 30, config.vocab_size, 3);
  const NoiseContext noise(5);
  GenerationState state = model.begin_sequence(1, noise, torch::Device(torch::kCPU));
  for (int t = 0; t < 10; ++t) model.step(state, tokens.select(1, t));
  const GenerationState snapshot = state;
  std::vector<torch::Tensor> first;
  for (int t = 10; t < 30; ++t) first.push_back(model.step(state, tokens.select(1, t)));
  CHECK(state.position == 30);

  state = snapshot;  // rewind
  CHECK(state.position == 10);
  for (int t = 10; t < 30; ++t) CHECK(torch::equal(model.step(state, tokens.select(1, t)), first[t - 10]));

  GenerationState candidates = snapshot.expand(3);
  CHECK(candidates.batch == 3);
  for (int t = 10; t < 30; ++t) {
    torch::Tensor logits = model.step(candidates, tokens.select(1, t).expand({3}));
    for (int c = 0; c < 3; ++c) CHECK(torch::allclose(logits[c], first[t - 10][0], 1e-5, 1e-6));
  }
  GenerationState chosen = candidates.select({2});
  CHECK(chosen.batch == 1);
  CHECK_THROWS_WITH(candidates.select({3}), Catch::Contains("outside"));
  CHECK_THROWS(model.step(chosen, tokens.select(1, 0).expand({2})));
}

TEST_CASE("same seed gives identical logits and different seeds differ") {
  for (PositionalKind kind : {PositionalKind::sine_spe, PositionalKind::conv_spe}) {
    ModelConfig config = spe::test::tiny_config(kind, FeatureMapKind::favor);
    PerformerLM model(config, 1);
    model.eval();
    const torch::Tensor tokens = random_tokens(1, 24, config.vocab_size, 8);
    torch::Tensor a = model.forward(tokens, NoiseContext(42));
    torch::Tensor b = model.forward(tokens, NoiseContext(42));
    torch::Tensor c = model.forward(tokens, NoiseContext(43));
    CHECK(torch::equal(a, b));
    CHECK_FALSE(torch::allclose(a, c));
    const auto& generator = model.transformer_decoder->generator(0);
    SpeCodes x = generator.codes(0, 16, 16, NoiseContext(42), 0);
    SpeCodes y = generator.codes(0, 16, 16, NoiseContext(42), 0);
    SpeCodes z = generator.codes(0, 16, 16, NoiseContext(43), 0);
    CHECK(torch::equal(x.q, y.q));
    CHECK(torch::equal(x.k, y.k));
    CHECK_FALSE(torch::allclose(x.q, z.q));
    // Codes of a window equal the same positions of a longer draw (keyed noise, no sequential state).
    SpeCodes window = generator.codes(5, 12, 16, NoiseContext(42), 0);
    CHECK(torch::allclose(window.q, x.q.narrow(0, 5, 7), 1e-5, 1e-6));
    CHECK(torch::allclose(window.k, x.k.narrow(0, 5, 7), 1e-5, 1e-6));
  }
}

TEST_CASE("dropout acts only in training mode") {
  ModelConfig config = spe::test::tiny_config(PositionalKind::sine_spe, FeatureMapKind::favor);
  config.dropout = 0.5;
  PerformerLM model(config, 1);
  const torch::Tensor tokens = random_tokens(1, 16, config.vocab_size, 2);
  model.eval();
  CHECK(torch::equal(model.forward(tokens, NoiseContext(1)), model.forward(tokens, NoiseContext(1))));
  model.train();
  CHECK_FALSE(torch::equal(model.forward(tokens, NoiseContext(1)), model.forward(tokens, NoiseContext(1))));
}

TEST_CASE("gradients reach the SPE parameters and the gates and the weights") {
  for (PositionalKind kind : {PositionalKind::sine_spe, PositionalKind::conv_spe}) {
    INFO("pe " << to_string(kind));
    ModelConfig config = spe::test::tiny_config(kind, FeatureMapKind::favor);
    PerformerLM model(config, 1);
    model.train();
    const torch::Tensor tokens = random_tokens(2, 20, config.vocab_size, 2);
    torch::Tensor logits = model.forward(tokens.narrow(1, 0, 19), NoiseContext(3));
    torch::Tensor loss = torch::nn::functional::cross_entropy(logits.reshape({-1, config.vocab_size}),
                                                              tokens.narrow(1, 1, 19).reshape({-1}));
    loss.backward();
    for (const auto& item : model.named_parameters()) {
      INFO(item.key());
      REQUIRE(item.value().grad().defined());
      CHECK(item.value().grad().abs().sum().item<double>() > 0.0);
    }
  }
}

TEST_CASE("attention probe returns causal row-normalised weights of the SPE-filtered queries and keys") {
  ModelConfig config = spe::test::tiny_config(PositionalKind::sine_spe, FeatureMapKind::favor);
  PerformerLM model(config, 1);
  model.eval();
  const torch::Tensor tokens = random_tokens(1, 30, config.vocab_size, 2);
  torch::Tensor w = model.attention_probe(tokens, NoiseContext(9), 1, 1, 10, 26);
  REQUIRE(w.sizes().vec() == std::vector<std::int64_t>({1, 16, 16}));
  CHECK(torch::allclose(w.sum(-1), torch::ones({1, 16}, w.options())));
  CHECK(w.triu(1).abs().max().item<double>() == 0.0);
  CHECK(torch::equal(w, model.attention_probe(tokens, NoiseContext(9), 1, 1, 10, 26)));
  CHECK_THROWS_WITH(model.attention_probe(tokens, NoiseContext(9), 5, 0, 0, 4), Catch::Contains("layer 5"));
  CHECK_THROWS_WITH(model.attention_probe(tokens, NoiseContext(9), 0, 0, 20, 40), Catch::Contains("window"));
}

TEST_CASE("attention probe head -1 is the mean over heads of the per-head windows") {
  for (PositionalKind kind : {PositionalKind::sine_spe, PositionalKind::conv_spe}) {
    INFO("pe " << to_string(kind));
    ModelConfig config = spe::test::tiny_config(kind, FeatureMapKind::favor);
    REQUIRE(config.n_heads > 1);
    PerformerLM model(config, 1);
    model.eval();
    const torch::Tensor tokens = random_tokens(2, 30, config.vocab_size, 4);
    const torch::Tensor mean = model.attention_probe(tokens, NoiseContext(9), 1, AttentionProbe::kMeanOverHeads, 6, 27);
    REQUIRE(mean.sizes().vec() == std::vector<std::int64_t>({2, 21, 21}));
    CHECK(mean.scalar_type() == torch::kFloat64);
    torch::Tensor sum = torch::zeros_like(mean);
    for (int h = 0; h < config.n_heads; ++h) sum += model.attention_probe(tokens, NoiseContext(9), 1, h, 6, 27);
    CHECK((mean - sum / config.n_heads).abs().max().item<double>() <= 1e-9);
    CHECK((mean.sum(-1) - 1.0).abs().max().item<double>() <= 1e-9);
    CHECK(mean.triu(1).abs().max().item<double>() == 0.0);
    // The mean is not one of the heads (the heads differ).
    CHECK((mean - model.attention_probe(tokens, NoiseContext(9), 1, 0, 6, 27)).abs().max().item<double>() > 1e-6);
  }
  ModelConfig config = spe::test::tiny_config(PositionalKind::sine_spe, FeatureMapKind::favor);
  PerformerLM model(config, 1);
  const torch::Tensor tokens = random_tokens(1, 10, config.vocab_size, 2);
  CHECK_THROWS_WITH(model.attention_probe(tokens, NoiseContext(9), 0, -2, 0, 4), Catch::Contains("head -2"));
  CHECK_THROWS_WITH(model.attention_probe(tokens, NoiseContext(9), 0, config.n_heads, 0, 4),
                    Catch::Contains("-1 = mean over heads"));
}

TEST_CASE("on CUDA the recurrent step equals the parallel forward and matches the CPU", "[gpu]") {
  if (!torch::cuda::is_available()) {
    WARN("SKIPPED: no CUDA device in this LibTorch build");
    return;
  }
  const torch::Device cuda(torch::kCUDA);
  for (PositionalKind kind : {PositionalKind::sine_spe, PositionalKind::conv_spe, PositionalKind::ape_sine}) {
    INFO("pe " << to_string(kind));
    ModelConfig config = spe::test::tiny_config(kind, FeatureMapKind::favor);
    PerformerLM model(config, 3);
    model.eval();
    model.to(torch::kFloat64);
    const torch::Tensor tokens = random_tokens(2, 48, config.vocab_size, 4);
    const NoiseContext noise(21);
    torch::Tensor cpu = model.forward(tokens, noise);
    model.to(cuda);
    CHECK(model.device().is_cuda());
    torch::Tensor parallel = model.forward(tokens.to(cuda), noise);
    CHECK(parallel.device().is_cuda());
    GenerationState state = model.begin_sequence(2, noise, cuda);
    std::vector<torch::Tensor> steps;
    for (std::int64_t t = 0; t < tokens.size(1); ++t) steps.push_back(model.step(state, tokens.select(1, t).to(cuda)));
    torch::Tensor recurrent = torch::stack(steps, 1);
    CHECK(max_relative_difference(recurrent.cpu(), parallel.cpu()) < 1e-10);
    // Keyed noise is generated on the CPU: the same seed gives the same model output on every device.
    CHECK(max_relative_difference(parallel.cpu(), cpu) < 1e-10);
    CHECK_THROWS_WITH(model.begin_sequence(1, noise, torch::Device(torch::kCPU)), Catch::Contains("cuda"));
  }
}
