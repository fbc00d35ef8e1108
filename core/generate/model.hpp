#pragma once
// The immutable, shareable half of generation (llama.cpp's model, whisper.cpp's context weights): the
// weights on a device, their configuration and the tokenizer they were trained with, loaded from a model
// folder (model.safetensors + model.json). Sessions borrow it. No torch in this header.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "generate/incremental_model.hpp"
#include "generate/token_scheme.hpp"
#include "model/kernels.hpp"
#include "tokens/tokenizer.hpp"

namespace spe::generate {

// What a model list shows (from model.json alone).
struct ModelInfo {
  std::string name;
  std::string description;
  std::string license;
  std::string scheme;          // remi | event
  std::string pe;              // ape | sine | conv | none
  bool gated = false;          // SPE gating (false for APE / none)
  std::int64_t train_len = 0;  // tokens per training sequence
  std::int64_t parameters = 0; // 0 when unknown (list view)
  std::string weights_sha256;
  std::filesystem::path path;

  // "<name>@<first 12 hex digits of the weights' SHA-256>": names the exact weights in a recipe.
  std::string id() const;
};
void to_json(nlohmann::json& j, const ModelInfo& info);

// Reads model.json of `dir`. Throws (message naming the file) when it is missing or malformed.
ModelInfo read_model_info(const std::filesystem::path& dir);

struct ModelLoadSettings {
  std::string device = "cpu";  // "cpu" | "cuda" | "cuda:N"
  // The weights of the fused CPU step: "auto" (BF16 where model::bf16_step_pays_off), "f32", or "bf16" (on
  // a CPU without AVX-512 BF16 the portable kernel, whose sums are the same bits). A take's recipe records
  // what made it (Model::step_weights) and replays with it. SPE_STEP_IMPL, when set, overrides this.
  std::string step_weights = "auto";
};

// softmax(Q̂K̂ᵀ) of one layer/head over positions [begin, end) of a sequence, row-major (W × W).
// head -1 = mean over heads (kMeanOverHeads): the average of the layer's per-head windows.
struct AttentionWindow {
  static constexpr int kMeanOverHeads = -1;
  int layer = 0, head = 0;  // head 0 … heads() − 1, or -1 = mean over heads
  std::int64_t begin = 0, end = 0;
  std::vector<float> weights;
  float at(std::int64_t row, std::int64_t col) const { return weights[std::size_t(row * (end - begin) + col)]; }
};

// ⟨p_i, p_j⟩ for the APE rows at positions i, j ∈ {0, step, 2·step, …} below `positions`: `size` × `size`,
// row-major. `positions` is what was asked for, capped at a learned table's length (a learned APE has no
// rows past it); step = ceil(positions / max_size), so size ≤ max_size.
struct PositionalGram {
  std::string kind;  // "ape_sine" | "ape_learned"
  std::int64_t positions = 0, step = 1, size = 0;
  std::vector<float> values;
  float at(std::int64_t row, std::int64_t col) const { return values[std::size_t(row * size + col)]; }
};

class Model {
 public:
  // Loads and validates the folder; throws std::runtime_error naming the folder and the problem.
  static std::shared_ptr<const Model> load(const std::filesystem::path& dir, const ModelLoadSettings& settings = {});
  ~Model();

  const ModelInfo& info() const { return info_; }
  const tokens::Tokenizer& tokenizer() const { return *tokenizer_; }
  const TokenScheme& scheme() const { return *scheme_; }
  const IncrementalModel& incremental() const;
  std::string device() const;
  // The weights the recurrent step multiplies: "f32" or "bf16" on the CPU's fused step, "" where takes use
  // PerformerLM::step (another device, SPE_STEP_IMPL=step).
  std::string step_weights() const;
  int layers() const;
  int heads() const;

  // The attention the take with model seed `model_seed` (GenerationSession::model_seed()) saw over
  // [begin, end) of `tokens`, from the model's attention probe. Costs one parallel forward of `end` tokens.
  // head -1 = mean over heads. Throws std::invalid_argument on a layer, head or window that does not exist.
  AttentionWindow attention(const std::vector<int>& tokens, std::uint64_t model_seed, int layer, int head,
                            std::int64_t begin, std::int64_t end) const;

  // SPE models: the positional templates of layer `options.layer` (prescribed P_hd(δ) and its estimate
  // from R code realisations), computed by model::kernel_report on these weights exactly as
  // `spe kernels --model` does. Throws std::invalid_argument for a model without SPE or a bad option.
  model::KernelReport positional_templates(const model::KernelOptions& options) const;
  // APE models: the Gram matrix ⟨p_i, p_j⟩ of the absolute positional-encoding rows (the vectors added to
  // the token embeddings) — see PositionalGram. Throws std::invalid_argument for a model without APE.
  PositionalGram positional_dot_products(std::int64_t positions, std::int64_t max_size) const;

  struct Backend;  // torch side, defined in model.cpp

 private:
  Model() = default;
  ModelInfo info_;
  std::unique_ptr<tokens::Tokenizer> tokenizer_;
  std::unique_ptr<TokenScheme> scheme_;
  std::unique_ptr<Backend> backend_;
};

// Intra-op threads for model computations (0 leaves LibTorch's default).
void set_compute_threads(int threads);

}  // namespace spe::generate
