// The FFT path of ConvSPE (overlap-save cross-correlation) must give the codes and filter gradients of
// the direct depthwise convolution, for any range of positions, and leave the recurrent stream exact.
#include "torch_catch.hpp"

#include <nlohmann/json.hpp>

#include "model/performer.hpp"
#include "model/spe_generators.hpp"
#include "model_test_helpers.hpp"

using namespace spe::model;

namespace {

double relative_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).abs().max() / b.abs().max()).item<double>();
}

// Filters with a non-trivial, asymmetric shape, so that swapping Q̄/K̄ or reversing a filter would show.
void randomise_filters(ConvSPE& spe, std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  at::Generator g = at::detail::createCPUGenerator(seed);
  for (torch::Tensor w : {spe.conv_q->weight, spe.conv_k->weight})
    w.copy_(torch::randn(w.sizes(), g, torch::dtype(torch::kFloat64)));
}

}  // namespace

TEST_CASE("fast FFT sizes are the smallest 2^a·3^b at least n") {
  const std::vector<std::pair<std::int64_t, std::int64_t>> expected = {
      {1, 1}, {2, 2}, {5, 6}, {7, 8}, {10, 12}, {13, 16}, {17, 18}, {19, 24}, {100, 108}, {1000, 1024},
      {1025, 1152}, {8703, 8748}};
  for (auto [n, size] : expected) {
    INFO("n = " << n);
    CHECK(fast_fft_size(n) == size);
  }
  for (std::int64_t n = 1; n < 3000; ++n) {  // exhaustive: no smaller 3-smooth size is skipped
    const std::int64_t size = fast_fft_size(n);
    REQUIRE(size >= n);
    for (std::int64_t m = n; m < size; ++m) {
      std::int64_t r = m;
      while (r % 2 == 0) r /= 2;
      while (r % 3 == 0) r /= 3;
      REQUIRE(r != 1);
    }
  }
}

TEST_CASE("FFT valid cross-correlation equals conv1d for one and many blocks and stacked filters") {
  at::Generator g = at::detail::createCPUGenerator(3);
  const auto f64 = torch::dtype(torch::kFloat64);
  for (std::int64_t k : {1, 2, 7, 33}) {
    for (std::int64_t n : {1, 5, 64, 1000}) {  // n ≥ 8K·… exercises several overlap-save blocks
      INFO("K = " << k << ", N = " << n);
      const std::int64_t channels = 3;
      torch::Tensor z = torch::randn({2, channels, n + k - 1}, g, f64);
      torch::Tensor w = torch::randn({2, channels, k}, g, f64);
      torch::Tensor fft = fft_valid_correlation(z, w);
      REQUIRE(fft.sizes() == torch::IntArrayRef({2, 2, channels, n}));
      for (int s = 0; s < 2; ++s) {
        torch::Tensor direct = at::conv1d(z, w[s].unsqueeze(1), {}, at::IntArrayRef{1}, at::IntArrayRef{0}, at::IntArrayRef{1}, channels);
        CHECK(relative_difference(fft[s], direct) < 1e-12);
      }
    }
  }
  CHECK_THROWS_AS(fft_valid_correlation(torch::zeros({3, 4}), torch::zeros({3, 5})), std::invalid_argument);
  CHECK_THROWS_AS(fft_valid_correlation(torch::zeros({3, 8}), torch::zeros({2, 5})), std::invalid_argument);
}

TEST_CASE("ConvSPE FFT codes equal direct codes for several K, N and ranges far from 0") {
  const int heads = 2, features = 3, realizations = 5;
  const NoiseContext noise(2024);
  for (int k : {1, 16, 64, 200}) {
    ConvSPE direct(heads, features, k, ConvAlgorithm::direct);
    ConvSPE fft(heads, features, k, ConvAlgorithm::fft);
    randomise_filters(direct, 10 + k);
    randomise_filters(fft, 10 + k);
    REQUIRE_FALSE(direct.uses_fft());
    REQUIRE(fft.uses_fft());
    for (std::int64_t begin : {std::int64_t{0}, std::int64_t{777}, std::int64_t{123456789}}) {
      for (std::int64_t n : {1, 50, 2100}) {
        INFO("K = " << k << ", positions [" << begin << ", " << begin + n << ")");
        for (auto dtype : {torch::kFloat64, torch::kFloat32}) {
          direct.to(dtype);
          fft.to(dtype);
          const SpeCodes a = direct.codes(begin, begin + n, realizations, noise, 1);
          const SpeCodes b = fft.codes(begin, begin + n, realizations, noise, 1);
          REQUIRE(b.q.sizes() == torch::IntArrayRef({n, heads, features, realizations}));
          CHECK(b.q.is_contiguous());
          CHECK(b.q.scalar_type() == dtype);
          const double tolerance = dtype == torch::kFloat64 ? 1e-10 : 1e-4;
          CHECK(relative_difference(b.q, a.q) < tolerance);
          CHECK(relative_difference(b.k, a.k) < tolerance);
        }
      }
    }
    // The two sides really use different filters (naming swap kept): Q̄ ≠ K̄.
    const SpeCodes c = fft.codes(0, 20, realizations, noise, 1);
    CHECK(relative_difference(c.q, c.k) > 0.1);
  }
}

TEST_CASE("ConvSPE FFT gradients with respect to both filters equal the direct ones") {
  const int heads = 2, features = 2, realizations = 4;
  const NoiseContext noise(5);
  for (int k : {3, 64}) {
    for (std::int64_t begin : {0, 4000}) {
      INFO("K = " << k << ", begin " << begin);
      std::vector<torch::Tensor> grads;
      for (ConvAlgorithm algorithm : {ConvAlgorithm::direct, ConvAlgorithm::fft}) {
        ConvSPE spe(heads, features, k, algorithm);
        randomise_filters(spe, 99);
        spe.to(torch::kFloat64);
        const std::int64_t n = 700;
        const SpeCodes codes = spe.codes(begin, begin + n, realizations, noise, 0);
        // A loss that weighs every position and side differently.
        at::Generator g = at::detail::createCPUGenerator(7);
        torch::Tensor wq = torch::randn(codes.q.sizes(), g, torch::dtype(torch::kFloat64));
        torch::Tensor wk = torch::randn(codes.k.sizes(), g, torch::dtype(torch::kFloat64));
        ((codes.q * wq).sum() + (codes.k * wk).sum() + codes.q.pow(2).sum()).backward();
        grads.push_back(spe.conv_q->weight.grad().clone());
        grads.push_back(spe.conv_k->weight.grad().clone());
      }
      CHECK(grads[0].abs().max().item<double>() > 0);
      CHECK(grads[1].abs().max().item<double>() > 0);
      CHECK(relative_difference(grads[2], grads[0]) < 1e-10);
      CHECK(relative_difference(grads[3], grads[1]) < 1e-10);
    }
  }
}

TEST_CASE("the automatic rule picks FFT only for long filters and can be overridden") {
  CHECK_FALSE(ConvSPE::fft_is_faster(16));
  CHECK(ConvSPE::fft_is_faster(64));
  CHECK(ConvSPE::fft_is_faster(128));  // the paper's music models
  ConvSPE short_filter(1, 1, 16), long_filter(1, 1, 512);
  CHECK(short_filter.algorithm() == ConvAlgorithm::automatic);
  CHECK_FALSE(short_filter.uses_fft());
  CHECK(long_filter.uses_fft());
  long_filter.set_algorithm(ConvAlgorithm::direct);
  CHECK_FALSE(long_filter.uses_fft());
  short_filter.set_algorithm(ConvAlgorithm::fft);
  CHECK(short_filter.uses_fft());
}

TEST_CASE("conv_algorithm is an optional config field with a clear error for bad values") {
  ModelConfig config = spe::test::tiny_config(PositionalKind::conv_spe, FeatureMapKind::favor);
  CHECK(config.spe.conv_algorithm == ConvAlgorithm::automatic);
  nlohmann::json json = to_json(config);
  CHECK(json["spe"]["conv_algorithm"] == "auto");
  json["spe"].erase("conv_algorithm");  // a config written before the field existed
  CHECK(model_config_from_json(json).spe.conv_algorithm == ConvAlgorithm::automatic);
  for (ConvAlgorithm algorithm : {ConvAlgorithm::direct, ConvAlgorithm::fft, ConvAlgorithm::automatic}) {
    config.spe.conv_algorithm = algorithm;
    CHECK(model_config_from_json(to_json(config)).spe.conv_algorithm == algorithm);
  }
  json["spe"]["conv_algorithm"] = "fast";
  CHECK_THROWS_WITH(model_config_from_json(json), Catch::Contains("'fast'") && Catch::Contains("ConvSPE"));
  json["spe"]["conv_algorithm"] = 3;
  CHECK_THROWS_WITH(model_config_from_json(json), Catch::Contains("spe.conv_algorithm"));
}

TEST_CASE("recurrent step equals the parallel forward with the FFT path selected") {
  for (bool gated : {true, false}) {
    ModelConfig config = spe::test::tiny_config(PositionalKind::conv_spe, FeatureMapKind::favor, gated);
    config.spe.kernel_size = 24;
    config.spe.conv_algorithm = ConvAlgorithm::fft;
    PerformerLM model(config, 3);
    model.eval();
    const auto* generator = dynamic_cast<const ConvSPE*>(model.transformer_decoder->generator_for(0));
    REQUIRE(generator != nullptr);
    REQUIRE(generator->uses_fft());
    at::Generator g = at::detail::createCPUGenerator(4);
    const torch::Tensor tokens = torch::randint(0, config.vocab_size, {2, 150}, g, torch::dtype(torch::kInt64));
    const NoiseContext noise(31);
    for (auto dtype : {torch::kFloat64, torch::kFloat32}) {
      INFO((gated ? "gated" : "ungated") << (dtype == torch::kFloat64 ? " float64" : " float32"));
      model.to(dtype);
      torch::Tensor parallel = model.forward(tokens, noise);
      GenerationState state = model.begin_sequence(tokens.size(0), noise);
      std::vector<torch::Tensor> steps;
      for (std::int64_t t = 0; t < tokens.size(1); ++t) steps.push_back(model.step(state, tokens.select(1, t)));
      CHECK(relative_difference(torch::stack(steps, 1), parallel) < (dtype == torch::kFloat64 ? 1e-10 : 1e-4));
    }
  }
}
