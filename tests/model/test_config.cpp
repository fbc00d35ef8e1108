#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "model/config.hpp"

using namespace spe::model;

TEST_CASE("presets follow the paper's music models") {
  const ModelConfig pop = pop_config();
  CHECK(pop.vocab_size == 333);
  CHECK(pop.d_model == 512);
  CHECK(pop.n_layers == 24);
  CHECK(pop.n_heads == 8);
  CHECK(pop.head_dim() == 64);
  CHECK(pop.d_ff == 2048);
  CHECK(pop.spe.realizations == 64);
  CHECK(pop.spe.num_sines == 5);
  CHECK(pop.spe.kernel_size == 128);
  CHECK(pop.spe.gated);
  CHECK(pop.feature_map.kind == FeatureMapKind::favor);
  CHECK(pop.feature_map.n_features == 128);
  CHECK(pop.pad_id == 332);
  const ModelConfig groove = groove_config(PositionalKind::conv_spe);
  CHECK(groove.vocab_size == 794);
  CHECK(groove.spe.num_sines == 8);
  CHECK(groove.train_len == 512);
  CHECK(groove.pe == PositionalKind::conv_spe);
  const ModelConfig small = small_config();
  CHECK(small.n_layers == 4);
  CHECK(small.d_model == 256);
  CHECK_NOTHROW(pop.validate());
  CHECK_NOTHROW(groove.validate());
  CHECK_NOTHROW(small.validate());
  CHECK_THROWS_WITH(preset_config("huge"), Catch::Contains("huge"));
}

TEST_CASE("config JSON round trip keeps every field") {
  ModelConfig c = small_config(PositionalKind::conv_spe);
  c.spe.gated = false;
  c.spe.share_pe = false;
  c.spe.kernel_size = 64;
  c.feature_map.kind = FeatureMapKind::elu;
  c.feature_map.orthogonal = false;
  c.dropout = 0.25;
  const ModelConfig back = model_config_from_json(nlohmann::json::parse(to_json(c).dump()));
  CHECK(to_json(back) == to_json(c));
  CHECK(back.pe == PositionalKind::conv_spe);
  CHECK_FALSE(back.spe.gated);
  CHECK(back.feature_map.kind == FeatureMapKind::elu);
}

TEST_CASE("config validation names the offending field") {
  ModelConfig c = small_config();
  c.n_heads = 3;
  CHECK_THROWS_WITH(c.validate(), Catch::Contains("n_heads"));
  c = small_config();
  c.pad_id = 400;
  CHECK_THROWS_WITH(c.validate(), Catch::Contains("pad_id"));
  c = small_config();
  c.feature_map.n_features = 33;
  CHECK_THROWS_WITH(c.validate(), Catch::Contains("n_features"));
  CHECK_THROWS_WITH(model_config_from_json(nlohmann::json::parse(R"({"d_model": "big"})")),
                    Catch::Contains("d_model"));
  CHECK_THROWS_WITH(model_config_from_json(nlohmann::json::parse(R"({"pe": "rope"})")), Catch::Contains("rope"));
  CHECK_THROWS_WITH(model_config_from_json(nlohmann::json::parse(R"({"spe": {"realizations": -1}})")),
                    Catch::Contains("spe.realizations"));
  CHECK(positional_kind_from_string("sine") == PositionalKind::sine_spe);
  CHECK(positional_kind_from_string("ape") == PositionalKind::ape_sine);
}
