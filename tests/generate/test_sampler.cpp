// Sampler chain: exact distributions on tiny logits, and a goodness-of-fit check of the seeded draw.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <numeric>
#include <vector>

#include "generate/sampler.hpp"
#include "generate/seed.hpp"

using namespace spe::generate;

namespace {

std::map<int, double> distribution(const SamplerChain& chain, const std::vector<float>& logits,
                                   std::vector<std::uint8_t> mask = {}) {
  Rng rng(1);
  SamplingContext ctx;
  ctx.rng = &rng;
  ctx.allowed = mask;
  std::map<int, double> out;
  for (auto [id, p] : chain.final_distribution(logits, ctx)) out[id] = p;
  return out;
}

std::vector<double> softmax(const std::vector<double>& x) {
  double m = *std::max_element(x.begin(), x.end());
  std::vector<double> e(x.size());
  double s = 0;
  for (std::size_t i = 0; i < x.size(); ++i) s += e[i] = std::exp(x[i] - m);
  for (double& v : e) v /= s;
  return e;
}

}  // namespace

TEST_CASE("temperature rescales logits exactly: p_i ∝ exp(l_i / T)") {
  const std::vector<float> logits = {1.0f, 2.0f, 0.5f, -1.0f};
  for (float t : {0.5f, 1.0f, 1.2f, 3.0f}) {
    auto d = distribution(make_sampler_chain(false, t, 0, 1.0f), logits);
    std::vector<double> scaled;
    for (float l : logits) scaled.push_back(double(l) / t);
    auto expected = softmax(scaled);
    REQUIRE(d.size() == 4);
    for (int i = 0; i < 4; ++i) CHECK(d[i] == Approx(expected[i]).epsilon(1e-6));
  }
}

TEST_CASE("temperature 0 is greedy") {
  auto d = distribution(make_sampler_chain(false, 0.0f, 0, 1.0f), {0.1f, 3.0f, 2.9f});
  REQUIRE(d.size() == 1);
  CHECK(d[1] == 1.0);
}

TEST_CASE("top-k keeps the k best and renormalises") {
  const std::vector<float> logits = {0.0f, 3.0f, 1.0f, 2.0f, -5.0f};
  auto d = distribution(make_sampler_chain(false, 1.0f, 2, 1.0f), logits);
  REQUIRE(d.size() == 2);
  const double z = std::exp(3.0) + std::exp(2.0);
  CHECK(d[1] == Approx(std::exp(3.0) / z));
  CHECK(d[3] == Approx(std::exp(2.0) / z));
  // k larger than the vocabulary is a no-op.
  CHECK(distribution(make_sampler_chain(false, 1.0f, 50, 1.0f), logits).size() == 5);
}

TEST_CASE("top-p keeps the smallest prefix whose mass exceeds p, crossing token included") {
  // probabilities 0.5, 0.25, 0.125, 0.125 (logits = log p)
  const std::vector<float> logits = {std::log(0.125f), std::log(0.5f), std::log(0.125f), std::log(0.25f)};
  SECTION("p = 0.6: 0.5 does not exceed, 0.75 does -> {1, 3}") {
    auto d = distribution(make_sampler_chain(false, 1.0f, 0, 0.6f), logits);
    REQUIRE(d.size() == 2);
    CHECK(d[1] == Approx(0.5 / 0.75));
    CHECK(d[3] == Approx(0.25 / 0.75));
  }
  SECTION("p = 0.8: 0.75 does not exceed it, 0.875 does -> three tokens") {
    auto d = distribution(make_sampler_chain(false, 1.0f, 0, 0.8f), logits);
    CHECK(d.size() == 3);
    CHECK(d[1] == Approx(0.5 / 0.875));
    CHECK(d.count(0) == 1);  // tie 0 vs 2 broken by lower id
  }
  SECTION("p = 0.4: the single most likely token exceeds p") {
    auto d = distribution(make_sampler_chain(false, 1.0f, 0, 0.4f), logits);
    REQUIRE(d.size() == 1);
    CHECK(d[1] == 1.0);
  }
  SECTION("p = 1: no-op") { CHECK(distribution(make_sampler_chain(false, 1.0f, 0, 1.0f), logits).size() == 4); }
}

TEST_CASE("stages compose in order: grammar -> temperature -> top-k -> top-p") {
  const std::vector<float> logits = {4.0f, 1.0f, 2.0f, 3.0f, 0.0f};
  const std::vector<std::uint8_t> mask = {0, 1, 1, 1, 1};  // the best token (0) is illegal
  // T = 0.5 doubles logits: 2, 4, 6, 0 over ids 1..4; top-k 3 keeps ids 3, 2, 1; top-p 0.9 on those.
  auto d = distribution(make_sampler_chain(true, 0.5f, 3, 0.9f), logits, mask);
  const auto p = softmax({6.0, 4.0, 2.0});  // ids 3, 2, 1
  REQUIRE(p[0] < 0.9);
  REQUIRE(p[0] + p[1] > 0.9);
  REQUIRE(d.size() == 2);
  CHECK(d[3] == Approx(p[0] / (p[0] + p[1])));
  CHECK(d[2] == Approx(p[1] / (p[0] + p[1])));
  CHECK(d.count(0) == 0);
}

TEST_CASE("grammar mask removes illegal tokens - -inf and NaN logits are never drawn") {
  const float inf = std::numeric_limits<float>::infinity();
  auto d = distribution(make_sampler_chain(true, 1.0f, 0, 1.0f), {1.0f, -inf, std::nanf(""), 1.0f}, {1, 1, 1, 0});
  REQUIRE(d.size() == 1);
  CHECK(d[0] == 1.0);
}

TEST_CASE("bad sampler settings are rejected with a message") {
  CHECK_THROWS_WITH(TemperatureStage(-1.0f), Catch::Contains("temperature"));
  CHECK_THROWS_WITH(TopPStage(0.0f), Catch::Contains("top-p"));
}

TEST_CASE("the seeded draw follows the final distribution (chi-square, per-cell 5 sigma)") {
  const std::vector<float> logits = {0.3f, -1.0f, 2.0f, 0.0f, 1.1f, -0.4f};
  const SamplerChain chain = make_sampler_chain(false, 1.2f, 0, 1.0f);
  Rng rng(derive_seed(42, "test"));
  SamplingContext ctx;
  ctx.rng = &rng;
  std::vector<double> expected(logits.size(), 0.0);
  for (auto [id, p] : chain.final_distribution(logits, ctx)) expected[id] = p;
  const int n = 200000;
  std::vector<int> counts(logits.size(), 0);
  for (int i = 0; i < n; ++i) counts[chain.sample(logits, ctx)]++;
  double chi2 = 0.0;
  for (std::size_t i = 0; i < logits.size(); ++i) {
    const double e = n * expected[i];
    chi2 += (counts[i] - e) * (counts[i] - e) / e;
    // Binomial standard deviation of the count: 5 sigma is a 1-in-1.7-million miss.
    CHECK(std::abs(counts[i] - e) < 5.0 * std::sqrt(e * (1.0 - expected[i])));
  }
  // Wilson–Hilferty: the chi-square(k) quantile at z standard normal deviations. z = 4.75 ≈ 1e-6 upper tail.
  const double k = double(logits.size() - 1), z = 4.75;
  const double limit = k * std::pow(1.0 - 2.0 / (9.0 * k) + z * std::sqrt(2.0 / (9.0 * k)), 3.0);
  INFO("chi2 = " << chi2 << ", limit = " << limit);
  CHECK(chi2 < limit);
  // And the draw is not degenerate: a statistic this small would mean the counts are not random.
  CHECK(chi2 > 0.0);
}

TEST_CASE("draw_index is inverse-CDF and robust to a total just below 1") {
  const std::vector<double> p = {0.2, 0.3, 0.5 - 1e-12};
  CHECK(draw_index(p, 0.0) == 0);
  CHECK(draw_index(p, 0.1999) == 0);
  CHECK(draw_index(p, 0.2) == 1);
  CHECK(draw_index(p, 0.5) == 2);
  CHECK(draw_index(p, 1.0 - 1e-13) == 2);
}

TEST_CASE("token statistics: entropy and log-probability of the raw distribution") {
  const std::vector<float> uniform(8, 0.7f);
  auto s = token_statistics(uniform, 3);
  CHECK(s.entropy == Approx(std::log(8.0)).epsilon(1e-6));
  CHECK(s.log_prob == Approx(-std::log(8.0)).epsilon(1e-6));
  const std::vector<float> peaked = {0.0f, 50.0f};
  CHECK(token_statistics(peaked, 1).entropy == Approx(0.0).margin(1e-12));
  CHECK(token_statistics(peaked, 0).log_prob == Approx(-50.0).epsilon(1e-6));
}

TEST_CASE("derived seeds: deterministic, distinct per purpose and index - Rng copies replay") {
  CHECK(derive_seed(7, "sampler", 0) == derive_seed(7, "sampler", 0));
  CHECK(derive_seed(7, "sampler", 0) != derive_seed(7, "sampler", 1));
  CHECK(derive_seed(7, "sampler", 0) != derive_seed(7, "model", 0));
  CHECK(derive_seed(7, "sampler", 0) != derive_seed(8, "sampler", 0));
  Rng a(derive_seed(1, "x"));
  a.next();
  Rng b = a;
  for (int i = 0; i < 10; ++i) CHECK(a.next() == b.next());
  // Uniforms lie in [0, 1) with mean 1/2 (standard error 1/sqrt(12 n)).
  double sum = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const double u = a.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum += u;
  }
  CHECK(std::abs(sum / n - 0.5) < 5.0 / std::sqrt(12.0 * n));
}
