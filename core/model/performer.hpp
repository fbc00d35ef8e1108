#pragma once
// PerformerLM: the pop-piano / groove decoder of the SPE paper (SPE.md §2–§3) with
//   * forward(tokens, noise)          – parallel causal form for training and evaluation, and
//   * begin_sequence() / step()       – the exact recurrent form for generation: O(1) time and memory per
//                                        token at any position, identical to forward() given the same
//                                        NoiseContext (SPE code, gating noise and ω frozen per sequence).
// Module names reproduce the reference state dict one to one (SPE.md §3.1):
//   token_emb.emb_lookup.weight, pe.pe, transformer_decoder.spe.{freqs,offsets,gains} |
//   transformer_decoder.spe.conv_{q,k}.weight, transformer_decoder.spe_filters.{l}.gate,
//   transformer_decoder.decoder_layers.{l}.attention.{query,key,value,out}_projection.{weight,bias},
//   …{l}.linear1/linear2/norm1/norm2.{weight,bias}, dec_out_proj.{weight,bias}.
// With share_pe = false each layer owns a generator: transformer_decoder.spe.{l}.… .

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/types.h>

#include "model/config.hpp"
#include "model/feature_maps.hpp"
#include "model/linear_attention.hpp"
#include "model/noise_context.hpp"
#include "model/positional.hpp"
#include "model/spe_filter.hpp"
#include "model/spe_generators.hpp"

namespace spe::model {

class AttentionLayer : public torch::nn::Module {
 public:
  explicit AttentionLayer(int d_model);
  torch::nn::Linear query_projection{nullptr}, key_projection{nullptr}, value_projection{nullptr},
      out_projection{nullptr};
};

class DecoderLayer : public torch::nn::Module {
 public:
  DecoderLayer(int d_model, int d_ff);
  std::shared_ptr<AttentionLayer> attention;
  torch::nn::Linear linear1{nullptr}, linear2{nullptr};
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
};

class SpeDecoder : public torch::nn::Module {
 public:
  explicit SpeDecoder(const ModelConfig& config);
  // The generator used by `layer` (nullptr without SPE).
  const SpeGenerator* generator_for(int layer) const;
  int generator_index(int layer) const { return shared_ ? 0 : layer; }
  int num_generators() const { return static_cast<int>(generators_.size()); }
  const SpeGenerator& generator(int index) const { return *generators_.at(index); }
  const SPEFilter& filter(int layer) const { return *filters_.at(layer); }
  const DecoderLayer& layer(int index) const { return *layers_.at(index); }
  int num_layers() const { return static_cast<int>(layers_.size()); }

  std::vector<std::shared_ptr<SpeGenerator>> generators_;
  std::vector<std::shared_ptr<SPEFilter>> filters_;
  std::vector<std::shared_ptr<DecoderLayer>> layers_;

 private:
  bool shared_ = true;
};

// Optional capture of softmax(Q̂K̂ᵀ/sqrt(d_q)) for one layer/head over positions [begin, end) (paper
// appendix D.1): the attention the FAVOR+ features approximate, computed exactly from the
// SPE-filtered queries/keys, causally masked and row-normalised inside the window.
// head = -1 (kMeanOverHeads): the mean over all heads of the layer of each head's window (every head's
// softmax in float64, then averaged), still (B, W, W) and row-stochastic.
struct AttentionProbe {
  static constexpr int kMeanOverHeads = -1;
  int layer = 0;
  int head = 0;  // 0 … n_heads − 1, or kMeanOverHeads
  std::int64_t begin = 0;
  std::int64_t end = 0;
  torch::Tensor weights;  // filled by forward: (B, end − begin, end − begin), float64 on the CPU
};

// The noise-dependent constants of parallel forward passes over positions [0, length): the SPE codes of
// every generator and the FAVOR+ projections of every layer. They depend only on the NoiseContext and
// the SPE/feature parameters, so passes that share a NoiseContext (evaluation: one seed for every song)
// can draw them once. Valid only while those parameters do not change.
struct ForwardNoise {
  std::int64_t length = 0;
  std::vector<SpeCodes> codes;        // per SPE generator, (length, H, D, R)
  std::vector<torch::Tensor> omegas;  // per layer (undefined for non-FAVOR+ maps)
};

// Everything a generated sequence needs between tokens. Copying deep-copies the mutable parts (attention
// states, ConvSPE noise window), so a copy is a snapshot that can be restored by assignment.
struct GenerationState {
  std::int64_t batch = 0;
  std::int64_t position = 0;  // index of the next token
  NoiseContext noise{0};
  std::vector<LinearAttentionState> attention;  // per layer
  std::vector<torch::Tensor> omega;             // per layer, frozen FAVOR+ projections (undefined otherwise)
  std::vector<GateTerms> gates;                 // per layer, frozen gating terms (empty when ungated)
  std::vector<std::unique_ptr<CodeStream>> codes;  // per SPE generator

  GenerationState() = default;
  GenerationState(const GenerationState& other);
  GenerationState& operator=(const GenerationState& other);
  GenerationState(GenerationState&&) noexcept = default;
  GenerationState& operator=(GenerationState&&) noexcept = default;

  // B copies of a batch-1 state (candidates that share a prompt).
  GenerationState expand(std::int64_t new_batch) const;
  // Keep only the given batch rows (e.g. the chosen candidate), in that order.
  GenerationState select(const std::vector<std::int64_t>& rows) const;
};

class PerformerLM : public torch::nn::Module {
 public:
  // Builds the model and initialises it as the reference (`weights_init` + SPE's own init), drawing
  // from a CPU generator seeded with `init_seed`. Parameters are created on the CPU in float32; move
  // the model with `to(device)`.
  explicit PerformerLM(const ModelConfig& config, std::uint64_t init_seed = 0);
  // Without the reference initialisation, for a loader that then replaces every parameter and buffer
  // (model_folder::load, which refuses a checkpoint missing any): its float64 draws cost more than the load.
  struct WeightsToFollow {};
  PerformerLM(const ModelConfig& config, WeightsToFollow);

  const ModelConfig& config() const { return config_; }
  torch::Device device() const;
  const FeatureMap& feature_map() const { return feature_map_; }

  // tokens (B, N) int64 → logits (B, N, V). Dropout only in training mode.
  // With `prepared` (from prepare_noise with the same NoiseContext and length ≥ N) its codes and
  // projections are used instead of being drawn again: same values, truncated to N positions.
  torch::Tensor forward(const torch::Tensor& tokens, const NoiseContext& noise,
                        AttentionProbe* probe = nullptr, const ForwardNoise* prepared = nullptr);
  ForwardNoise prepare_noise(std::int64_t length, const NoiseContext& noise) const;

  // Recurrent generation. `device`, when given, must be the device the model is on.
  GenerationState begin_sequence(std::int64_t batch, const NoiseContext& noise,
                                 std::optional<torch::Device> device = std::nullopt) const;
  // tokens (B) int64 → logits (B, V); advances the state by one position.
  torch::Tensor step(GenerationState& state, const torch::Tensor& tokens) const;

  // softmax(Q̂K̂ᵀ) of `layer`/`head` over positions [begin, end) of `tokens` (B, N ≥ end): (B, W, W),
  // float64 on the CPU. head -1 = mean over heads (AttentionProbe::kMeanOverHeads).
  torch::Tensor attention_probe(const torch::Tensor& tokens, const NoiseContext& noise, int layer, int head,
                                std::int64_t begin, std::int64_t end);

  std::shared_ptr<TokenEmbedding> token_emb;
  std::shared_ptr<AbsolutePositionalEncoding> pe;  // null for SPE / none
  std::shared_ptr<SpeDecoder> transformer_decoder;
  torch::nn::Linear dec_out_proj{nullptr};

 private:
  void initialise(std::uint64_t seed);
  // Per-layer ω drawn from the NoiseContext.
  std::vector<torch::Tensor> draw_omegas(const NoiseContext& noise) const;

  ModelConfig config_;
  FeatureMap feature_map_;
};

}  // namespace spe::model
