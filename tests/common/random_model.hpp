#pragma once
// Random-weight model folders for generation tests (no trained model exists in the repository): a small
// PerformerLM with the real tokenizer of a scheme, saved with the io checkpoint API exactly as training
// would. Includes torch: include it from one test file per executable only, BEFORE <catch2/catch.hpp>:
// Debian's LibTorch pulls in glog, whose CHECK macro would otherwise replace Catch's.

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "io/checkpoint.hpp"
#include "io/module_loading.hpp"
#include "model/config.hpp"
#include "model/performer.hpp"
#include "tokens/tokenizer.hpp"

#ifdef CATCH_VERSION_MAJOR
#error "include random_model.hpp before <catch2/catch.hpp>"
#endif
#undef CHECK

namespace spe::test {

struct RandomModelSpec {
  std::string scheme = "remi";  // remi | event
  model::PositionalKind pe = model::PositionalKind::sine_spe;
  bool gated = true;
  int d_model = 32, layers = 2, heads = 2, d_ff = 64;
  std::uint64_t init_seed = 1;
  std::string name = "random";
};

inline model::ModelConfig random_model_config(const RandomModelSpec& spec, int vocab, int pad) {
  model::ModelConfig c;
  c.vocab_size = vocab;
  c.pad_id = pad;
  c.d_model = spec.d_model;
  c.n_layers = spec.layers;
  c.n_heads = spec.heads;
  c.d_ff = spec.d_ff;
  c.dropout = 0.0;
  c.pe = spec.pe;
  c.spe.realizations = 8;
  c.spe.num_sines = 2;
  c.spe.kernel_size = 8;
  c.spe.gated = spec.gated;
  c.feature_map.n_features = 16;
  c.train_len = 64;
  c.ape_max_len = 256;
  return c;
}

// Writes the model folder `dir` and returns it.
inline std::filesystem::path make_random_model(const std::filesystem::path& dir, const RandomModelSpec& spec = {}) {
  auto tokenizer = tokens::make_tokenizer(nlohmann::json{{"scheme", spec.scheme}});
  const auto config =
      random_model_config(spec, static_cast<int>(tokenizer->vocab().size()), static_cast<int>(tokenizer->pad()));
  model::PerformerLM lm(config, spec.init_seed);
  io::CheckpointMeta meta;
  meta.name = spec.name;
  meta.description = "random weights (test fixture)";
  meta.architecture = model::to_json(config);
  meta.positional_encoding = {{"kind", model::to_string(config.pe)}, {"gated", spec.gated}};
  meta.tokenizer = tokenizer->to_json();
  meta.training_length = config.train_len;
  meta.license = "CC0-1.0";
  io::save_checkpoint(dir, io::module_tensors(lm), meta);
  return dir;
}

}  // namespace spe::test
