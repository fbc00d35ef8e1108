#include "model/config.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace spe::model {

namespace {

[[noreturn]] void fail(const std::string& message) { throw std::invalid_argument("model config: " + message); }

void require_positive(int value, const char* name) {
  if (value <= 0) fail(std::string(name) + " must be positive (got " + std::to_string(value) + ")");
}

}  // namespace

void ModelConfig::validate() const {
  require_positive(vocab_size, "vocab_size");
  require_positive(d_model, "d_model");
  require_positive(n_layers, "n_layers");
  require_positive(n_heads, "n_heads");
  require_positive(d_ff, "d_ff");
  if (d_model % n_heads != 0)
    fail("d_model (" + std::to_string(d_model) + ") must be divisible by n_heads (" + std::to_string(n_heads) + ")");
  if (!(dropout >= 0.0 && dropout < 1.0)) fail("dropout must be in [0, 1) (got " + std::to_string(dropout) + ")");
  require_positive(train_len, "train_len");
  if (pad_id < 0 || pad_id >= vocab_size)
    fail("pad_id " + std::to_string(pad_id) + " is outside the vocabulary [0, " + std::to_string(vocab_size) + ")");
  if (pe == PositionalKind::ape_sine || pe == PositionalKind::ape_learned) require_positive(ape_max_len, "ape_max_len");
  if (uses_spe()) {
    require_positive(spe.realizations, "spe.realizations");
    if (pe == PositionalKind::sine_spe) require_positive(spe.num_sines, "spe.num_sines");
    if (pe == PositionalKind::conv_spe) require_positive(spe.kernel_size, "spe.kernel_size");
  }
  if (feature_map.kind == FeatureMapKind::favor) {
    require_positive(feature_map.n_features, "feature_map.n_features");
    if (feature_map.n_features % 2 != 0)
      fail("feature_map.n_features must be even for FAVOR+ (got " + std::to_string(feature_map.n_features) + ")");
  }
}

ModelConfig pop_config(PositionalKind pe) {
  ModelConfig c;  // the defaults are the pop-piano model of SPE.md §3.1
  c.pe = pe;
  return c;
}

ModelConfig groove_config(PositionalKind pe) {
  ModelConfig c;
  c.vocab_size = 794;
  c.pe = pe;
  c.spe.num_sines = 8;
  c.train_len = 512;
  c.ape_max_len = 512;  // the groove APE table has max_len rows (SPE.md §3.2)
  c.pad_id = 792;       // EOS doubles as padding
  return c;
}

ModelConfig small_config(PositionalKind pe) {
  ModelConfig c;
  c.d_model = 256;
  c.n_layers = 4;
  c.n_heads = 4;
  c.d_ff = 1024;
  c.pe = pe;
  c.train_len = 1024;
  c.ape_max_len = 8192;
  return c;
}

ModelConfig preset_config(std::string_view name, PositionalKind pe) {
  if (name == "pop") return pop_config(pe);
  if (name == "groove") return groove_config(pe);
  if (name == "small") return small_config(pe);
  throw std::invalid_argument("unknown model preset '" + std::string(name) + "' (expected pop, groove or small)");
}

std::string to_string(PositionalKind kind) {
  switch (kind) {
    case PositionalKind::none: return "none";
    case PositionalKind::ape_sine: return "ape_sine";
    case PositionalKind::ape_learned: return "ape_learned";
    case PositionalKind::sine_spe: return "sine_spe";
    case PositionalKind::conv_spe: return "conv_spe";
  }
  return "none";
}

std::string to_string(FeatureMapKind kind) {
  switch (kind) {
    case FeatureMapKind::favor: return "favor";
    case FeatureMapKind::relu: return "relu";
    case FeatureMapKind::elu: return "elu";
  }
  return "favor";
}

PositionalKind positional_kind_from_string(std::string_view name) {
  if (name == "none") return PositionalKind::none;
  if (name == "ape_sine" || name == "ape") return PositionalKind::ape_sine;
  if (name == "ape_learned") return PositionalKind::ape_learned;
  if (name == "sine_spe" || name == "sine") return PositionalKind::sine_spe;
  if (name == "conv_spe" || name == "conv") return PositionalKind::conv_spe;
  throw std::invalid_argument("unknown positional encoding '" + std::string(name) +
                              "' (expected none, ape, ape_learned, sine or conv)");
}

FeatureMapKind feature_map_kind_from_string(std::string_view name) {
  if (name == "favor") return FeatureMapKind::favor;
  if (name == "relu") return FeatureMapKind::relu;
  if (name == "elu") return FeatureMapKind::elu;
  throw std::invalid_argument("unknown feature map '" + std::string(name) + "' (expected favor, relu or elu)");
}

std::string to_string(ConvAlgorithm algorithm) {
  switch (algorithm) {
    case ConvAlgorithm::automatic: return "auto";
    case ConvAlgorithm::direct: return "direct";
    case ConvAlgorithm::fft: return "fft";
  }
  return "auto";
}

ConvAlgorithm conv_algorithm_from_string(std::string_view name) {
  if (name == "auto") return ConvAlgorithm::automatic;
  if (name == "direct") return ConvAlgorithm::direct;
  if (name == "fft") return ConvAlgorithm::fft;
  throw std::invalid_argument("unknown ConvSPE algorithm '" + std::string(name) + "' (expected auto, direct or fft)");
}

nlohmann::json to_json(const ModelConfig& c) {
  return {
      {"vocab_size", c.vocab_size}, {"d_model", c.d_model}, {"n_layers", c.n_layers}, {"n_heads", c.n_heads},
      {"d_ff", c.d_ff}, {"dropout", c.dropout}, {"pe", to_string(c.pe)},
      {"spe",
       {{"realizations", c.spe.realizations}, {"num_sines", c.spe.num_sines}, {"kernel_size", c.spe.kernel_size},
        {"conv_algorithm", to_string(c.spe.conv_algorithm)},
        {"gated", c.spe.gated}, {"share_pe", c.spe.share_pe}}},
      {"feature_map",
       {{"kind", to_string(c.feature_map.kind)}, {"n_features", c.feature_map.n_features},
        {"orthogonal", c.feature_map.orthogonal}}},
      {"train_len", c.train_len}, {"ape_max_len", c.ape_max_len}, {"pad_id", c.pad_id},
  };
}

namespace {

template <typename T>
void read(const nlohmann::json& object, const char* key, T& out, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end()) return;
  try {
    out = it->template get<T>();
  } catch (const nlohmann::json::exception&) {
    fail("field '" + where + key + "' has the wrong type (" + std::string(it->type_name()) + ")");
  }
}

}  // namespace

ModelConfig model_config_from_json(const nlohmann::json& json) {
  if (!json.is_object()) fail("expected a JSON object, got " + std::string(json.type_name()));
  ModelConfig c;
  read(json, "vocab_size", c.vocab_size, "");
  read(json, "d_model", c.d_model, "");
  read(json, "n_layers", c.n_layers, "");
  read(json, "n_heads", c.n_heads, "");
  read(json, "d_ff", c.d_ff, "");
  read(json, "dropout", c.dropout, "");
  read(json, "train_len", c.train_len, "");
  read(json, "ape_max_len", c.ape_max_len, "");
  read(json, "pad_id", c.pad_id, "");
  std::string pe = to_string(c.pe);
  read(json, "pe", pe, "");
  c.pe = positional_kind_from_string(pe);
  if (auto it = json.find("spe"); it != json.end()) {
    if (!it->is_object()) fail("field 'spe' must be an object");
    read(*it, "realizations", c.spe.realizations, "spe.");
    read(*it, "num_sines", c.spe.num_sines, "spe.");
    read(*it, "kernel_size", c.spe.kernel_size, "spe.");
    std::string algorithm = to_string(c.spe.conv_algorithm);
    read(*it, "conv_algorithm", algorithm, "spe.");
    c.spe.conv_algorithm = conv_algorithm_from_string(algorithm);
    read(*it, "gated", c.spe.gated, "spe.");
    read(*it, "share_pe", c.spe.share_pe, "spe.");
  }
  if (auto it = json.find("feature_map"); it != json.end()) {
    if (!it->is_object()) fail("field 'feature_map' must be an object");
    std::string kind = to_string(c.feature_map.kind);
    read(*it, "kind", kind, "feature_map.");
    c.feature_map.kind = feature_map_kind_from_string(kind);
    read(*it, "n_features", c.feature_map.n_features, "feature_map.");
    read(*it, "orthogonal", c.feature_map.orthogonal, "feature_map.");
  }
  c.validate();
  return c;
}

}  // namespace spe::model
