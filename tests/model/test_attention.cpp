// Causal linear attention (chunked parallel form and recurrent step) against the explicit quadratic
// formula, and FAVOR+ against exact softmax attention.
#include "torch_catch.hpp"

#include <cmath>

#include "model/feature_maps.hpp"
#include "model/linear_attention.hpp"

using namespace spe::model;

namespace {

// Reference: y_i = Σ_{j≤i} (φq_i·φk_j) v_j / (φq_i·Σ_{j≤i} φk_j + ε), with the N×N matrix.
torch::Tensor quadratic_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  const auto n = q.size(2);
  torch::Tensor a = torch::matmul(q, k.transpose(-1, -2)) * torch::ones({n, n}, q.options()).tril();
  return torch::matmul(a, v) / (a.sum(-1, true) + kLinearAttentionEps);
}

torch::Tensor softmax_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  const auto n = q.size(2);
  torch::Tensor scores = torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(double(q.size(-1)));
  scores = scores.masked_fill(torch::ones({n, n}, torch::dtype(torch::kBool)).tril().logical_not(), -INFINITY);
  return torch::matmul(torch::softmax(scores, -1), v);
}

torch::Tensor randn(at::IntArrayRef shape, std::uint64_t seed) {
  at::Generator g = at::detail::createCPUGenerator(seed);
  return torch::randn(shape, g, torch::dtype(torch::kFloat64));
}

}  // namespace

TEST_CASE("chunked causal linear attention equals the quadratic formula in values and gradients") {
  for (std::int64_t n : {1, 7, 37, 64, 130}) {
    for (std::int64_t chunk : {1, 5, 16, 64, 256}) {
      INFO("N = " << n << ", chunk = " << chunk);
      torch::Tensor q = randn({2, 3, n, 6}, 1).exp().requires_grad_();
      torch::Tensor k = randn({2, 3, n, 6}, 2).exp().requires_grad_();
      torch::Tensor v = randn({2, 3, n, 4}, 3).requires_grad_();
      torch::Tensor expected = quadratic_attention(q, k, v);
      torch::Tensor actual = causal_linear_attention(q, k, v, chunk);
      CHECK(torch::allclose(actual, expected, 1e-12, 1e-12));
      auto ge = torch::autograd::grad({(expected * expected).sum()}, {q, k, v});
      auto ga = torch::autograd::grad({(actual * actual).sum()}, {q, k, v});
      for (int i = 0; i < 3; ++i) CHECK(torch::allclose(ga[i], ge[i], 1e-10, 1e-12));
    }
  }
}

TEST_CASE("recurrent linear attention step equals the parallel form") {
  const std::int64_t n = 25;
  torch::Tensor q = randn({2, 3, n, 6}, 4).exp(), k = randn({2, 3, n, 6}, 5).exp(), v = randn({2, 3, n, 4}, 6);
  torch::Tensor expected = causal_linear_attention(q, k, v, 8);
  LinearAttentionState state = zero_linear_attention_state(2, 3, 6, 4, q.options());
  for (std::int64_t t = 0; t < n; ++t) {
    torch::Tensor y = causal_linear_attention_step(state, q.select(2, t), k.select(2, t), v.select(2, t));
    CHECK(torch::allclose(y, expected.select(2, t), 1e-12, 1e-12));
  }
  CHECK(torch::allclose(state.z, k.sum(2)));
}

TEST_CASE("FAVOR+ orthogonal features are unbiased for exp(x.y/sqrt(d)) and approximate softmax attention") {
  const int d = 16;
  // Queries/keys of moderate norm so that softmax is neither flat nor one-hot.
  torch::Tensor q = randn({1, 1, 48, d}, 7) * 0.5, k = randn({1, 1, 48, d}, 8) * 0.5, v = randn({1, 1, 48, 8}, 9);
  const torch::Tensor exact = softmax_attention(q, k, v);
  auto error = [&](int features, bool orthogonal) {
    double sum = 0.0;
    const int trials = 6;
    for (int t = 0; t < trials; ++t) {
      FeatureMap map(FeatureMapConfig{FeatureMapKind::favor, features, orthogonal}, d);
      torch::Tensor omega = map.draw(NoiseContext(t), 0, q.options());
      torch::Tensor approx = causal_linear_attention(map.apply(q, omega), map.apply(k, omega), v);
      sum += ((approx - exact).norm() / exact.norm()).item<double>();
    }
    return sum / trials;
  };
  const double e64 = error(64, true), e4096 = error(4096, true), iid = error(64, false);
  INFO("relative error: F=64 " << e64 << ", F=4096 " << e4096 << ", iid F=64 " << iid);
  CHECK(e4096 < 0.05);
  CHECK(e64 / e4096 > 3.5);  // Monte-Carlo rate 1/sqrt(F): 64× the features → up to 8× smaller
  CHECK(e64 < iid * 1.1);    // orthogonal features are no worse than i.i.d. ones

  // Kernel itself: mean of φ(x)·φ(y) over many draws → exp(x·y/sqrt(d)).
  FeatureMap big(FeatureMapConfig{FeatureMapKind::favor, 1 << 16, true}, d);
  torch::Tensor omega = big.draw(NoiseContext(1), 0, q.options());
  torch::Tensor x = q[0][0][3], y = k[0][0][5];
  const double estimate = (big.apply(x, omega) * big.apply(y, omega)).sum().item<double>();
  const double truth = std::exp((x * y).sum().item<double>() / std::sqrt(double(d)));
  CHECK(estimate == Approx(truth).epsilon(0.03));
}

TEST_CASE("orthogonal projection blocks have orthogonal columns with chi-distributed norms") {
  FeatureMap map(FeatureMapConfig{FeatureMapKind::favor, 2 * 40, true}, 16);  // 40 columns: 3 blocks
  torch::Tensor omega = map.draw(NoiseContext(2), 0, torch::dtype(torch::kFloat64));
  REQUIRE(omega.sizes().vec() == std::vector<std::int64_t>({16, 40}));
  torch::Tensor block = omega.narrow(1, 0, 16);
  torch::Tensor gram = block.t().mm(block);
  CHECK(torch::allclose(gram - torch::diag(gram.diag()), torch::zeros_like(gram), 0, 1e-10));
  // Column norms are norms of Gaussian rows: mean of ‖g‖² is d.
  CHECK(omega.pow(2).sum(0).mean().item<double>() == Approx(16.0).margin(4 * std::sqrt(2.0 * 16 / 40)));
  CHECK(torch::equal(omega, map.draw(NoiseContext(2), 0, torch::dtype(torch::kFloat64))));
  CHECK_FALSE(torch::equal(omega, map.draw(NoiseContext(2), 1, torch::dtype(torch::kFloat64))));
}

TEST_CASE("ReLU and elu+1 feature maps") {
  torch::Tensor x = torch::tensor({-2.0, -0.5, 0.0, 1.5}, torch::dtype(torch::kFloat64));
  FeatureMap relu(FeatureMapConfig{FeatureMapKind::relu, 0, false}, 4);
  FeatureMap elu(FeatureMapConfig{FeatureMapKind::elu, 0, false}, 4);
  CHECK(relu.output_dim() == 4);
  CHECK(torch::allclose(relu.apply(x, {}), torch::tensor({0.0, 0.0, 0.0, 1.5}, x.options())));
  CHECK(torch::allclose(elu.apply(x, {}), torch::tensor({std::exp(-2.0), std::exp(-0.5), 1.0, 2.5}, x.options())));
  CHECK_FALSE(relu.draw(NoiseContext(1), 0, x.options()).defined());
}

TEST_CASE("training noise policy draws fresh codes every step and redraws features by policy") {
  TrainingNoise every40(1, 0.0, 40);
  NoiseContext first = every40.next();
  std::uint64_t features = first.feature_seed();
  for (int step = 2; step <= 40; ++step) {
    NoiseContext c = every40.next();
    CHECK(c.feature_seed() == features);
    CHECK(c.code_seed() != first.code_seed());
  }
  CHECK(every40.next().feature_seed() != features);  // step 41: (41 − 1) % 40 == 0
  TrainingNoise random(2, 0.05, 0);
  for (int i = 0; i < 2000; ++i) random.next();
  // Binomial(2000, 0.05): mean 100, sd ≈ 9.7.
  CHECK(random.feature_redraws() == Approx(100).margin(40));
}
