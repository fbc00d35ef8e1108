// SPE codes realise their prescribed kernel as a Monte-Carlo average over R realisations (SPE.md §6.1):
// the relative error falls as c/sqrt(R) with no bias. Setting of §6.1: H = 2, D = 8, lags 0…255,
// where the reference measured c ≈ 2.5 (sine K = 5) and ≈ 2.6 (conv) — bands below allow for the
// trial-to-trial spread of a 6-trial mean.
#include "torch_catch.hpp"

#include <cmath>

#include "model/kernel_tensors.hpp"
#include "model/kernels.hpp"
#include "model/performer.hpp"
#include "model_test_helpers.hpp"

using namespace spe::model;

namespace {

constexpr int kTrials = 6;

// Mean relative error over independent noise seeds.
double mean_error(const SpeGenerator& generator, const SPEFilter* filter, int realizations, std::int64_t max_lag,
                  std::int64_t key_position = 0) {
  const torch::Tensor p = prescribed_kernel(generator, filter, max_lag);
  double sum = 0.0;
  for (int t = 0; t < kTrials; ++t)
    sum += relative_error(estimated_kernel(generator, filter, realizations, max_lag, NoiseContext(1000 + t), 0, 0,
                                           key_position),
                          p);
  return sum / kTrials;
}

void check_monte_carlo_rate(const SpeGenerator& generator, const SPEFilter* filter, std::int64_t max_lag,
                            std::int64_t key_position = 0) {
  const double e64 = mean_error(generator, filter, 64, max_lag, key_position);
  const double e256 = mean_error(generator, filter, 256, max_lag, key_position);
  const double e4096 = mean_error(generator, filter, 4096, max_lag, key_position);
  INFO("errors at R = 64, 256, 4096: " << e64 << ", " << e256 << ", " << e4096);
  // error·sqrt(R) is a constant of the kernel: no bias, pure Monte-Carlo noise.
  for (auto [err, r] : {std::pair{e64, 64}, std::pair{e256, 256}, std::pair{e4096, 4096}}) {
    CHECK(err * std::sqrt(r) > 1.2);
    CHECK(err * std::sqrt(r) < 3.5);
  }
  CHECK(e64 / e256 == Approx(2.0).margin(0.6));   // 4× the realisations halves the error
  CHECK(e64 / e4096 == Approx(8.0).margin(2.5));  // 64× the realisations divides it by 8
}

}  // namespace

TEST_CASE("SineSPE codes converge to the analytic kernel at rate 1/sqrt(R)") {
  SineSPE sine(2, 8, 5);
  sine.to(torch::kFloat64);
  check_monte_carlo_rate(sine, nullptr, 255);
  // At R = 64 and 4096 the reference measured 0.31 and 0.04.
  CHECK(mean_error(sine, nullptr, 64, 255) == Approx(0.31).margin(0.1));
  CHECK(mean_error(sine, nullptr, 4096, 255) == Approx(0.04).margin(0.015));
}

TEST_CASE("SineSPE kernel converges as well at positions 10x beyond the training length") {
  SineSPE sine(2, 8, 5);
  sine.to(torch::kFloat64);
  check_monte_carlo_rate(sine, nullptr, 255, /*key_position=*/10 * 2048);
  // float32 codes at position 20480 keep the phase error small against the Monte-Carlo error.
  sine.to(torch::kFloat32);
  CHECK(mean_error(sine, nullptr, 4096, 255, 10 * 2048) < 0.06);
}

TEST_CASE("the analytic sine kernel has the 1/(2K) factor and is interleaved correctly") {
  SineSPE sine(1, 1, 2);
  {
    torch::NoGradGuard no_grad;
    sine.freqs.copy_(torch::tensor({0.0, 1.0}).view({1, 1, 2}));
    sine.offsets.copy_(torch::tensor({0.3, -0.2}).view({1, 1, 2}));
    sine.gains.copy_(torch::tensor({0.5, 1.5}).view({1, 1, 2}));
  }
  const torch::Tensor p = sine.kernel(3);
  for (int lag = 0; lag <= 3; ++lag) {
    double expected = 0.0;
    const double f[] = {0.5 / (1 + std::exp(-0.0)) , 0.5 / (1 + std::exp(-1.0))};
    const double theta[] = {0.3, -0.2};
    const double g[] = {0.5, 1.5};
    for (int k = 0; k < 2; ++k) {
      const double lambda = std::log1p(std::exp(g[k]));
      expected += lambda * lambda * std::cos(2 * M_PI * f[k] * lag + theta[k]);
    }
    CHECK(p[0][0][lag].item<double>() == Approx(expected / 4.0).epsilon(1e-6));
  }
}

TEST_CASE("ConvSPE codes converge to the filter cross-correlation and vanish beyond the filter length") {
  ConvSPE conv(2, 8, 16);
  conv.to(torch::kFloat64);
  check_monte_carlo_rate(conv, nullptr, 15);  // on the support
  const torch::Tensor p = conv.kernel(63);
  CHECK(p.narrow(2, 16, 48).abs().max().item<double>() == 0.0);
  // The cross-correlation itself: P(δ) = Σ_j a[j]·b[j+δ] with a = conv_k (queries), b = conv_q (keys).
  torch::Tensor a = conv.conv_k->weight[3][0], b = conv.conv_q->weight[3][0];
  CHECK(p[0][3][5].item<double>() == Approx((a.narrow(0, 0, 11) * b.narrow(0, 5, 11)).sum().item<double>()));
  CHECK(p[0][3][5].item<double>() != Approx((b.narrow(0, 0, 11) * a.narrow(0, 5, 11)).sum().item<double>()));
  // Beyond the support the estimate is pure noise that shrinks as 1/sqrt(R), relative to the kernel scale.
  auto outside = [&](int realizations) {
    double sum = 0.0;
    for (int t = 0; t < kTrials; ++t) {
      torch::Tensor e = estimated_kernel(conv, nullptr, realizations, 63, NoiseContext(t), 0, 0);
      sum += (e.narrow(2, 16, 48).pow(2).mean().sqrt() / p.narrow(2, 0, 16).pow(2).mean().sqrt()).item<double>();
    }
    return sum / kTrials;
  };
  const double o64 = outside(64), o4096 = outside(4096);
  INFO("RMS beyond the support / RMS on it: " << o64 << " (R = 64), " << o4096 << " (R = 4096)");
  CHECK(o4096 < 0.06);
  CHECK(o64 / o4096 == Approx(8.0).margin(2.5));
}

TEST_CASE("gated kernel is (1-g)P + g and g -> 1 removes position") {
  SineSPE sine(2, 8, 5);
  sine.to(torch::kFloat64);
  SPEFilter filter(true, 2, 8);
  filter.to(torch::kFloat64);
  const torch::Tensor p = sine.kernel(255);
  const torch::Tensor g = torch::sigmoid(filter.gate).unsqueeze(-1);
  CHECK(torch::allclose(prescribed_kernel(sine, &filter, 255), (1 - g) * p + g));
  check_monte_carlo_rate(sine, &filter, 255);
  CHECK(mean_error(sine, &filter, 4096, 255) == Approx(0.03).margin(0.015));

  {
    torch::NoGradGuard no_grad;
    filter.gate.fill_(30.0);  // sigmoid = 1 − 1e-13
  }
  torch::Tensor e = estimated_kernel(sine, &filter, 64, 255, NoiseContext(3), 0, 0);
  // Every lag sees the same constant: no positional information left.
  const double spread = (e - e.narrow(2, 0, 1)).abs().max().item<double>();
  CHECK(spread < 1e-5);
}

TEST_CASE("kernel report of a model has the fields and a deterministic Monte-Carlo error") {
  ModelConfig config = small_config(PositionalKind::sine_spe);
  config.spe.gated = false;
  PerformerLM model(config);
  KernelOptions options;
  options.realizations = 1024;
  options.max_lag = 64;
  options.seed = 5;
  const KernelReport report = kernel_report(model, options);
  CHECK(report.pe == "sine_spe");
  CHECK(report.heads == 4);
  CHECK(report.dims == 64);
  CHECK(report.realizations == 1024);
  CHECK_FALSE(report.gated);
  CHECK(report.prescribed.size() == std::size_t(4 * 64 * 65));
  CHECK(report.rel_error * std::sqrt(1024.0) > 1.0);
  CHECK(report.rel_error * std::sqrt(1024.0) < 3.5);
  const torch::Tensor p = model.transformer_decoder->generator(0).kernel(64);
  CHECK(report.prescribed_at(2, 7, 13) == Approx(p[2][7][13].item<double>()));
  CHECK(kernel_report(model, options).rel_error == report.rel_error);
  options.seed = 6;
  CHECK(kernel_report(model, options).rel_error != report.rel_error);
  options.layer = 9;
  CHECK_THROWS_WITH(kernel_report(model, options), Catch::Contains("layer 9"));
  PerformerLM ape(small_config(PositionalKind::ape_sine));
  CHECK_THROWS_WITH(kernel_report(ape, KernelOptions{}), Catch::Contains("no SPE kernel"));
}
