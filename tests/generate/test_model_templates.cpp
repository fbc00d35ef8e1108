// generate::Model's positional templates (what the GUI's "Positional templates" dock shows): for SPE models
// exactly model::kernel_report of the same weights (the code of `spe kernels --model`); for APE models the
// Gram matrix of the encoding rows, subsampled to at most max_size² and capped at a learned table's length.
#include "random_model.hpp"  // first: see its note on glog's CHECK

#include <catch2/catch.hpp>

#include <cmath>

#include "generate/model.hpp"
#include "model/kernels.hpp"
#include "test_paths.hpp"

using namespace spe;

namespace {

test::RandomModelSpec spec_for(model::PositionalKind pe, const std::string& name) {
  test::RandomModelSpec spec;
  spec.pe = pe;
  spec.name = name;
  spec.init_seed = 7;
  return spec;
}

// The PerformerLM the folder was written from (same config and seed).
std::shared_ptr<model::PerformerLM> same_model(const test::RandomModelSpec& spec) {
  auto tokenizer = tokens::make_tokenizer(nlohmann::json{{"scheme", spec.scheme}});
  return std::make_shared<model::PerformerLM>(
      test::random_model_config(spec, int(tokenizer->vocab().size()), int(tokenizer->pad())), spec.init_seed);
}

}  // namespace

TEST_CASE("Model::positional_templates is kernel_report of the model's own weights") {
  for (model::PositionalKind pe : {model::PositionalKind::sine_spe, model::PositionalKind::conv_spe}) {
    INFO(model::to_string(pe));
    const auto spec = spec_for(pe, "templates-" + model::to_string(pe));
    const auto dir = test::make_random_model(test::scratch_dir(spec.name) / "model", spec);
    const auto loaded = generate::Model::load(dir);
    model::KernelOptions options;
    options.max_lag = 300;  // past 4 × the fixture's training length (64)
    options.layer = 1;
    const model::KernelReport got = loaded->positional_templates(options);
    const model::KernelReport want = model::kernel_report(*same_model(spec), options);
    REQUIRE(got.prescribed.size() == want.prescribed.size());
    REQUIRE(got.prescribed.size() == std::size_t(2 * 16 * 301));
    CHECK(got.prescribed == want.prescribed);
    CHECK(got.estimated == want.estimated);
    CHECK(got.gated);
    options.layer = 2;
    CHECK_THROWS_AS(loaded->positional_templates(options), std::invalid_argument);
    CHECK_THROWS_AS(loaded->positional_dot_products(100, 10), std::invalid_argument);
  }
}

TEST_CASE("Model::positional_dot_products is the Gram matrix of the APE rows, subsampled and capped") {
  SECTION("learned APE: capped at its table, every step-th row") {
    const auto spec = spec_for(model::PositionalKind::ape_learned, "templates-ape-learned");
    const auto dir = test::make_random_model(test::scratch_dir(spec.name) / "model", spec);
    const auto loaded = generate::Model::load(dir);
    const generate::PositionalGram gram = loaded->positional_dot_products(1000, 100);
    CHECK(gram.kind == "ape_learned");
    CHECK(gram.positions == 256);  // the fixture's ape_max_len
    CHECK(gram.step == 3);
    CHECK(gram.size == 86);
    REQUIRE(gram.values.size() == std::size_t(86 * 86));
    const auto lm = same_model(spec);
    const torch::Tensor rows = lm->pe->rows(0, 256).to(torch::kFloat64);
    double worst = 0.0, scale = 0.0;
    for (std::int64_t r = 0; r < gram.size; r += 5)
      for (std::int64_t c = 0; c < gram.size; c += 7) {
        const double want = torch::dot(rows[r * 3], rows[c * 3]).item<double>();
        worst = std::max(worst, std::abs(want - double(gram.at(r, c))));
        scale = std::max(scale, std::abs(want));
      }
    CHECK(scale > 0.0);
    CHECK(worst <= 1e-5 * scale);
    CHECK_THROWS_AS(loaded->positional_templates({}), std::invalid_argument);
  }
  SECTION("sinusoidal APE: rows past its table, Σ cos(ω_k (i − j)), diagonal d/2") {
    const auto spec = spec_for(model::PositionalKind::ape_sine, "templates-ape-sine");
    const auto dir = test::make_random_model(test::scratch_dir(spec.name) / "model", spec);
    const auto loaded = generate::Model::load(dir);
    const generate::PositionalGram gram = loaded->positional_dot_products(1000, 512);  // table: 256 rows
    CHECK(gram.positions == 1000);
    CHECK(gram.step == 2);
    CHECK(gram.size == 500);
    double worst = 0.0;
    for (std::int64_t r = 0; r < gram.size; r += 31)
      for (std::int64_t c = 0; c < gram.size; c += 17) {
        double want = 0.0;
        for (int k = 0; k < spec.d_model / 2; ++k)
          want += std::cos(std::exp(-2.0 * k * std::log(10000.0) / spec.d_model) * double(2 * (r - c)));
        worst = std::max(worst, std::abs(want - double(gram.at(r, c))));
      }
    CHECK(worst < 1e-3);
    CHECK(gram.at(400, 400) == Approx(spec.d_model / 2.0).margin(1e-4));
  }
}
