#pragma once
// Small configurations that exercise every code path quickly.

#include "model/config.hpp"

namespace spe::test {

inline model::ModelConfig tiny_config(model::PositionalKind pe, model::FeatureMapKind map, bool gated = true) {
  model::ModelConfig c;
  c.vocab_size = 50;
  c.d_model = 32;
  c.n_layers = 2;
  c.n_heads = 2;
  c.d_ff = 64;
  c.dropout = 0.1;
  c.pe = pe;
  c.spe.realizations = 16;
  c.spe.num_sines = 3;
  c.spe.kernel_size = 8;
  c.spe.gated = gated;
  c.feature_map.kind = map;
  c.feature_map.n_features = 32;
  c.train_len = 64;
  c.ape_max_len = 64;
  c.pad_id = 49;
  return c;
}

}  // namespace spe::test
