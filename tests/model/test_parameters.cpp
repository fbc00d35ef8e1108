// The state-dict layout must map one to one onto the reference checkpoints (SPE.md §3.1).
#include "torch_catch.hpp"

#include <map>
#include <string>
#include <vector>

#include "model/performer.hpp"

using namespace spe::model;

namespace {

using Shapes = std::map<std::string, std::vector<std::int64_t>>;

Shapes reference_layout(PositionalKind pe, int vocab, int sines) {
  Shapes s;
  s["token_emb.emb_lookup.weight"] = {vocab, 512};
  s["dec_out_proj.weight"] = {vocab, 512};
  s["dec_out_proj.bias"] = {vocab};
  if (pe == PositionalKind::sine_spe)
    for (const char* name : {"freqs", "offsets", "gains"}) s[std::string("transformer_decoder.spe.") + name] = {8, 64, sines};
  if (pe == PositionalKind::conv_spe)
    for (const char* name : {"conv_q", "conv_k"})
      s[std::string("transformer_decoder.spe.") + name + ".weight"] = {512, 1, 128};
  for (int l = 0; l < 24; ++l) {
    const std::string layer = "transformer_decoder.decoder_layers." + std::to_string(l) + ".";
    if (pe == PositionalKind::sine_spe || pe == PositionalKind::conv_spe)
      s["transformer_decoder.spe_filters." + std::to_string(l) + ".gate"] = {8, 64};
    for (const char* proj : {"query", "key", "value", "out"}) {
      s[layer + "attention." + proj + "_projection.weight"] = {512, 512};
      s[layer + "attention." + proj + "_projection.bias"] = {512};
    }
    s[layer + "linear1.weight"] = {2048, 512};
    s[layer + "linear1.bias"] = {2048};
    s[layer + "linear2.weight"] = {512, 2048};
    s[layer + "linear2.bias"] = {512};
    for (const char* norm : {"norm1", "norm2"}) {
      s[layer + norm + ".weight"] = {512};
      s[layer + norm + ".bias"] = {512};
    }
  }
  return s;
}

Shapes actual_layout(const PerformerLM& model) {
  Shapes s;
  for (const auto& item : model.named_parameters()) s[item.key()] = item.value().sizes().vec();
  return s;
}

std::int64_t count_parameters(const PerformerLM& model) {
  std::int64_t n = 0;
  for (const auto& p : model.parameters()) n += p.numel();
  return n;
}

}  // namespace

TEST_CASE("pop-piano models have the reference parameter names and shapes and counts") {
  struct Case {
    PositionalKind pe;
    std::int64_t count;
  };
  for (const Case& c : {Case{PositionalKind::sine_spe, 76018509}, Case{PositionalKind::conv_spe, 76141901},
                        Case{PositionalKind::ape_sine, 75998541}}) {
    INFO("pe = " << to_string(c.pe));
    PerformerLM model(pop_config(c.pe));
    CHECK(count_parameters(model) == c.count);
    CHECK(actual_layout(model) == reference_layout(c.pe, 333, 5));
    const auto buffers = model.named_buffers();
    if (c.pe == PositionalKind::ape_sine) {
      REQUIRE(buffers.size() == 1);
      CHECK(buffers.begin()->key() == "pe.pe");
      const std::vector<std::int64_t> table_shape{20480, 1, 512};
      CHECK(buffers.begin()->value().sizes().vec() == table_shape);
    } else {
      CHECK(buffers.size() == 0);
    }
  }
}

TEST_CASE("groove models use the 794-token vocabulary and 8 sines") {
  PerformerLM model(groove_config(PositionalKind::sine_spe));
  CHECK(actual_layout(model) == reference_layout(PositionalKind::sine_spe, 794, 8));
}

TEST_CASE("initialisation follows the reference and is reproducible by seed") {
  ModelConfig config = small_config(PositionalKind::sine_spe);
  PerformerLM a(config, 7), b(config, 7), c(config, 8);
  auto pa = a.named_parameters(), pb = b.named_parameters(), pc = c.named_parameters();
  bool any_difference = false;
  for (const auto& item : pa) {
    CHECK(torch::equal(item.value(), pb[item.key()]));
    any_difference = any_difference || !torch::equal(item.value(), pc[item.key()]);
  }
  CHECK(any_difference);
  // weights_init: Linear ~ N(0, 0.01), bias 0; LayerNorm weight ~ N(1, 0.01).
  const auto& w = a.transformer_decoder->layers_[0]->linear1->weight;  // 1024×256 values
  CHECK(w.mean().item<double>() == Approx(0.0).margin(5 * 0.01 / std::sqrt(double(w.numel()))));
  CHECK(w.std().item<double>() == Approx(0.01).epsilon(0.02));
  CHECK(a.transformer_decoder->layers_[0]->linear1->bias.abs().max().item<double>() == 0.0);
  CHECK(a.transformer_decoder->layers_[0]->norm1->weight.mean().item<double>() == Approx(1.0).margin(0.005));
  // SineSPE: freqs ~ N(−4, 1); gains rows scaled to 2/sqrt(‖g‖).
  const auto* sine = dynamic_cast<const SineSPE*>(a.transformer_decoder->generator_for(0));
  REQUIRE(sine);
  CHECK(sine->freqs.mean().item<double>() == Approx(-4.0).margin(0.25));
}

TEST_CASE("ConvSPE filters start uniform in 0 to 1 over sqrt(K/2)") {
  PerformerLM model(small_config(PositionalKind::conv_spe), 3);
  const auto* conv = dynamic_cast<const ConvSPE*>(model.transformer_decoder->generator_for(0));
  REQUIRE(conv);
  const double bound = 1.0 / std::sqrt(128 / 2.0);
  for (const auto& w : {conv->conv_q->weight, conv->conv_k->weight}) {
    CHECK(w.min().item<double>() >= 0.0);
    CHECK(w.max().item<double>() < bound);
    CHECK(w.mean().item<double>() == Approx(bound / 2).epsilon(0.02));
  }
  CHECK_FALSE(torch::equal(conv->conv_q->weight, conv->conv_k->weight));
}

TEST_CASE("share_pe = false gives one generator per layer") {
  ModelConfig config = small_config(PositionalKind::sine_spe);
  config.spe.share_pe = false;
  PerformerLM model(config);
  const auto params = model.named_parameters();
  CHECK(params.contains("transformer_decoder.spe.3.freqs"));
  CHECK_FALSE(params.contains("transformer_decoder.spe.freqs"));
  CHECK(model.transformer_decoder->num_generators() == 4);
}

TEST_CASE("ungated filters have no gate parameter") {
  ModelConfig config = small_config(PositionalKind::sine_spe);
  config.spe.gated = false;
  PerformerLM model(config);
  for (const auto& item : model.named_parameters()) CHECK(item.key().find("gate") == std::string::npos);
}
