// The CPU no-autograd contraction of the SPE filter (one pass over the codes) against the batched-matmul
// path that autograd uses, alone and inside the whole parallel forward of every SPE kind.
#include "torch_catch.hpp"

#include "model/performer.hpp"
#include "model/spe_filter.hpp"
#include "model_test_helpers.hpp"

using namespace spe::model;

namespace {

double max_relative_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).abs().max() / b.abs().max()).item<double>();
}

}  // namespace

TEST_CASE("contract_codes without autograd equals the explicit sum and the autograd path") {
  for (auto dtype : {torch::kFloat64, torch::kFloat32}) {
    for (std::int64_t b : {1, 3}) {
      for (std::int64_t n : {1, 37}) {
        INFO("dtype " << dtype << ", B = " << b << ", N = " << n);
        at::Generator g = at::detail::createCPUGenerator(static_cast<std::uint64_t>(b * 100 + n));
        const auto options = torch::dtype(dtype);
        torch::Tensor x = torch::randn({b, n, 2, 5}, g, options);
        torch::Tensor code = torch::randn({n, 2, 5, 7}, g, options);
        // Reference in float64: q̂[b,n,h,r] = Σ_d x[b,n,h,d]·code[n,h,d,r].
        torch::Tensor expected =
            (x.to(torch::kFloat64).unsqueeze(-1) * code.to(torch::kFloat64).unsqueeze(0)).sum(-2);
        torch::Tensor fast;
        {
          torch::NoGradGuard no_grad;
          fast = contract_codes(x, code);
        }
        torch::Tensor xg = x.clone().requires_grad_();
        torch::Tensor graph = contract_codes(xg, code);  // the autograd (bmm) path
        REQUIRE(fast.sizes() == expected.sizes());
        CHECK(graph.requires_grad());
        const double tolerance = dtype == torch::kFloat64 ? 1e-13 : 1e-6;
        CHECK(max_relative_difference(fast.to(torch::kFloat64), expected) < tolerance);
        CHECK(max_relative_difference(fast, graph.detach()) < tolerance);
        // Non-contiguous inputs (a permuted x) give the same values.
        torch::Tensor xt = x.transpose(2, 3).contiguous().transpose(2, 3);
        torch::NoGradGuard no_grad;
        CHECK(max_relative_difference(contract_codes(xt, code).to(torch::kFloat64), expected) < tolerance);
      }
    }
  }
}

TEST_CASE("the no-grad parallel forward equals the autograd forward for every SPE kind") {
  struct Pe {
    PositionalKind kind;
    bool gated;
  };
  for (const Pe& pe : {Pe{PositionalKind::sine_spe, true}, Pe{PositionalKind::sine_spe, false},
                       Pe{PositionalKind::conv_spe, true}, Pe{PositionalKind::conv_spe, false}}) {
    ModelConfig config = spe::test::tiny_config(pe.kind, FeatureMapKind::favor, pe.gated);
    INFO("pe " << to_string(pe.kind) << (pe.gated ? " gated" : " ungated"));
    PerformerLM model(config, 5);
    model.eval();
    at::Generator g = at::detail::createCPUGenerator(9);
    const torch::Tensor tokens =
        torch::randint(0, config.vocab_size, {2, 90}, g, torch::dtype(torch::kInt64));
    const NoiseContext noise(321);
    for (auto dtype : {torch::kFloat64, torch::kFloat32}) {
      model.to(dtype);
      torch::Tensor with_graph = model.forward(tokens, noise);
      REQUIRE(with_graph.requires_grad());
      torch::Tensor without;
      {
        torch::NoGradGuard no_grad;
        without = model.forward(tokens, noise);
      }
      CHECK(max_relative_difference(without, with_graph.detach()) <
            (dtype == torch::kFloat64 ? 1e-12 : 1e-5));
    }
  }
}
