#pragma once
// Architecture of a Performer language model with optional SPE (SPE.md §1–§3). A plain struct with no
// LibTorch dependency: the CLI, the GUI facade and the checkpoint metadata all read it.

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace spe::model {

enum class PositionalKind { none, ape_sine, ape_learned, sine_spe, conv_spe };
enum class FeatureMapKind { favor, relu, elu };
// How ConvSPE computes the codes of a whole range (the parallel path): a direct depthwise convolution,
// an FFT (overlap-save) convolution, or `automatic`: whichever measured faster for that filter length
// and range (docs/results/convspe-fft.md). All three give the same codes to round-off.
enum class ConvAlgorithm { automatic, direct, fft };

struct SpeConfig {
  int realizations = 64;  // R: the SPE code dimension (= the query dimension the feature map sees)
  int num_sines = 5;      // K for SineSPE
  int kernel_size = 128;  // filter length for ConvSPE
  ConvAlgorithm conv_algorithm = ConvAlgorithm::automatic;  // JSON "conv_algorithm": "auto" | "direct" | "fft"
  bool gated = true;      // SPEFilter(gated=True): learned blend with a position-less constant
  bool share_pe = true;   // one generator shared by all layers (the paper's music models)
};

struct FeatureMapConfig {
  FeatureMapKind kind = FeatureMapKind::favor;
  int n_features = 128;  // F (FAVOR+ only; ReLU and elu+1 keep the input dimension)
  bool orthogonal = true;
};

struct ModelConfig {
  int vocab_size = 333;
  int d_model = 512;
  int n_layers = 24;
  int n_heads = 8;
  int d_ff = 2048;
  double dropout = 0.1;
  PositionalKind pe = PositionalKind::sine_spe;
  SpeConfig spe;
  FeatureMapConfig feature_map;
  int train_len = 2048;      // training sequence length (informational: marks where extrapolation starts)
  int ape_max_len = 20480;   // rows of the APE table (`pe.pe`); the sine table is extended on the fly beyond it
  int pad_id = 332;          // ignored by the loss

  int head_dim() const { return d_model / n_heads; }
  bool uses_spe() const { return pe == PositionalKind::sine_spe || pe == PositionalKind::conv_spe; }
  // The dimension of the queries/keys the feature map receives: R with SPE, the head dim otherwise.
  int query_dim() const { return uses_spe() ? spe.realizations : head_dim(); }
  // Number of features the attention state is built on (F for FAVOR+, query_dim() otherwise).
  int feature_dim() const {
    return feature_map.kind == FeatureMapKind::favor ? feature_map.n_features : query_dim();
  }

  // Throws std::invalid_argument with a one-line message naming the first inconsistent field.
  void validate() const;
};

// Presets. `pop` = SPE.md §3.1 (pop piano), `groove` = §3.2, `small` = a laptop-sized model.
ModelConfig pop_config(PositionalKind pe = PositionalKind::sine_spe);
ModelConfig groove_config(PositionalKind pe = PositionalKind::sine_spe);
ModelConfig small_config(PositionalKind pe = PositionalKind::sine_spe);
// "pop" | "groove" | "small"; throws std::invalid_argument naming the preset otherwise.
ModelConfig preset_config(std::string_view name, PositionalKind pe = PositionalKind::sine_spe);

std::string to_string(PositionalKind kind);
std::string to_string(FeatureMapKind kind);
std::string to_string(ConvAlgorithm algorithm);  // "auto" | "direct" | "fft"
// Accept the canonical names plus the short CLI spellings ("ape", "sine", "conv").
PositionalKind positional_kind_from_string(std::string_view name);
FeatureMapKind feature_map_kind_from_string(std::string_view name);
ConvAlgorithm conv_algorithm_from_string(std::string_view name);

nlohmann::json to_json(const ModelConfig& config);
// Missing fields keep the defaults of ModelConfig{}; wrong types or values throw std::invalid_argument.
ModelConfig model_config_from_json(const nlohmann::json& json);

}  // namespace spe::model
