#include "train/warm_start.hpp"

#include <torch/torch.h>

#include <stdexcept>

#include "io/module_loading.hpp"
#include "model/performer.hpp"

namespace spe::train {

namespace {

using nlohmann::json;

// Architecture fields that carry no weights: a warm start may change them.
json weight_shaping(json architecture) {
  for (const char* key : {"train_len", "dropout", "ape_max_len"}) architecture.erase(key);
  if (architecture.contains("spe") && architecture["spe"].is_object()) architecture["spe"].erase("conv_algorithm");
  return architecture;
}

// The first key (dotted path) whose values differ, with both values; empty when equal.
std::string first_difference(const json& a, const json& b, const std::string& path) {
  if (a.is_object() && b.is_object()) {
    for (const auto& [key, value] : a.items()) {
      const std::string p = path.empty() ? key : path + "." + key;
      if (!b.contains(key)) return p + " is " + value.dump() + " there, absent here";
      if (auto d = first_difference(value, b.at(key), p); !d.empty()) return d;
    }
    for (const auto& [key, value] : b.items())
      if (!a.contains(key)) return (path.empty() ? key : path + "." + key) + " is absent there, " + value.dump() + " here";
    return {};
  }
  if (a == b) return {};
  std::string va = a.dump(), vb = b.dump();
  if (va.size() > 40 || vb.size() > 40) return path + " differs";
  return path + " is " + va + " there, " + vb + " here";
}

}  // namespace

void check_warm_start_compatible(const io::CheckpointMeta& init, const io::CheckpointMeta& run,
                                 const std::filesystem::path& dir) {
  const std::string source = (dir / io::kMetaFileName).string();
  if (auto d = first_difference(weight_shaping(init.architecture), weight_shaping(run.architecture), "architecture");
      !d.empty())
    throw std::runtime_error(source + ": cannot warm-start: " + d);
  if (auto d = first_difference(init.tokenizer, run.tokenizer, "tokenizer"); !d.empty())
    throw std::runtime_error(source + ": cannot warm-start: " + d);
}

nlohmann::json warm_start(model::PerformerLM& model, const io::CheckpointMeta& run, const std::filesystem::path& dir) {
  const auto [init_meta, init_weights] = io::read_checkpoint_meta(dir);
  check_warm_start_compatible(init_meta, run, dir);
  const auto ckpt = io::load_checkpoint(dir);
  io::load_into_module(model, ckpt.tensors, {}, (dir / io::kWeightsFileName).string());

  json history = init_meta.history.is_array() ? init_meta.history : json::array();
  history.push_back({{"name", init_meta.name},
                     {"folder", std::filesystem::absolute(dir).lexically_normal().string()},
                     {"steps", init_meta.steps},
                     {"training_length", init_meta.training_length},
                     {"metrics", init_meta.metrics},
                     {"dataset", init_meta.dataset},
                     {"weights_sha256", init_weights.sha256},
                     {"weights_dtype", init_weights.dtype},
                     {"date", init_meta.provenance.date},
                     {"command", init_meta.provenance.command}});
  return history;
}

}  // namespace spe::train
