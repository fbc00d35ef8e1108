#pragma once
// SPE code generators (SPE.md §1.1, §1.2): data-independent pairs (Q̄, K̄) whose cross-covariance over
// the R realisations is a prescribed relative positional kernel P_hd(m − n).
// Codes are returned contiguous as (N, H, D, R) and already scaled by (R·D)^(-1/4), so that the filter's
// contraction over D is one batched matmul (SPE.md §6.3).
//
// Two access paths share the same noise (NoiseContext, keyed by generator index):
//   * codes(begin, end, ...)  – positions [begin, end) at once (training, evaluation, kernels);
//   * open_stream(...)        – an incremental CodeStream that yields the code of one position per call in
//                               O(1) time and memory at any position (generation).

#include <cstdint>
#include <memory>

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/types.h>

#include "model/config.hpp"
#include "model/noise_context.hpp"

namespace spe::model {

struct SpeCodes {
  torch::Tensor q;  // (N, H, D, R)
  torch::Tensor k;  // (N, H, D, R)
};

// Yields the code of consecutive positions; copyable (clone) so a generation state can be snapshotted.
class CodeStream {
 public:
  virtual ~CodeStream() = default;
  virtual std::int64_t position() const = 0;
  // Code (H, D, R) of the current position, then advance by one.
  virtual SpeCodes next() = 0;
  virtual std::unique_ptr<CodeStream> clone() const = 0;
};

class SpeGenerator : public torch::nn::Module {
 public:
  SpeGenerator(int num_heads, int in_features) : num_heads_(num_heads), in_features_(in_features) {}
  int num_heads() const { return num_heads_; }
  int in_features() const { return in_features_; }

  virtual SpeCodes codes(std::int64_t begin, std::int64_t end, int realizations, const NoiseContext& noise,
                         int generator_index) const = 0;
  virtual std::unique_ptr<CodeStream> open_stream(std::int64_t start, int realizations, const NoiseContext& noise,
                                                  int generator_index) const = 0;
  // The prescribed kernel P_hd(δ) for lags δ = 0 … max_lag (query δ positions after the key),
  // shape (H, D, max_lag + 1), float64.
  virtual torch::Tensor kernel(std::int64_t max_lag) const = 0;
  // Reinitialise the parameters as the reference does, drawing from `generator` (a CPU generator).
  virtual void reset_parameters(at::Generator& generator) = 0;

 protected:
  int num_heads_;
  int in_features_;
};

// Parameters freqs, offsets, gains (H, D, K), in that registration order.
class SineSPE : public SpeGenerator {
 public:
  SineSPE(int num_heads, int in_features, int num_sines);
  int num_sines() const { return num_sines_; }

  SpeCodes codes(std::int64_t begin, std::int64_t end, int realizations, const NoiseContext& noise,
                 int generator_index) const override;
  std::unique_ptr<CodeStream> open_stream(std::int64_t start, int realizations, const NoiseContext& noise,
                                          int generator_index) const override;
  torch::Tensor kernel(std::int64_t max_lag) const override;
  void reset_parameters(at::Generator& generator) override;

  // z = N(0,1)/sqrt(2K)·softplus(gains) interleaved, scaled by (R·D)^(-1/4): shape (H·D, 2K, R).
  torch::Tensor scaled_noise(int realizations, const NoiseContext& noise, int generator_index) const;
  // Codes for positions [begin, end) from a given scaled noise.
  SpeCodes codes_from_noise(std::int64_t begin, std::int64_t end, const torch::Tensor& scaled_noise) const;

  torch::Tensor freqs, offsets, gains;

 private:
  int num_sines_;
};

// Depthwise filters conv_q, conv_k (H·D, 1, kernel_size). Naming swap of the reference: Q̄ is filtered
// by conv_k and K̄ by conv_q. Noise column c (an (R, H·D) slab) is keyed by (generator, c), and the code
// of position t reads columns t+K … t+2K−1.
//
// `codes` computes the valid cross-correlation either directly (depthwise conv1d, O(N·K) per channel) or
// by FFT (overlap-save with blocks of a 2^a·3^b size, O(N·log K)); `algorithm` picks one, `automatic`
// applies `fft_is_faster` (rule measured in docs/results/convspe-fft.md). Both are differentiable with
// respect to the filters and give the same codes to round-off; the generation stream is unaffected.
class ConvSPE : public SpeGenerator {
 public:
  ConvSPE(int num_heads, int in_features, int kernel_size, ConvAlgorithm algorithm = ConvAlgorithm::automatic);
  int kernel_size() const { return kernel_size_; }
  ConvAlgorithm algorithm() const { return algorithm_; }
  void set_algorithm(ConvAlgorithm algorithm) { algorithm_ = algorithm; }
  // The `automatic` rule: FFT for filters of 64 taps or more. Measured (docs/results/convspe-fft.md) on
  // N ∈ {256, 2048, 8192} with 1 and 2 threads: FFT faster for every K ≥ 64 (1.1–29×), slower at K = 16
  // (0.4×); the winner did not depend on N there, so the rule does not either.
  static bool fft_is_faster(int kernel_size) { return kernel_size >= 64; }
  // Whether `codes` takes the FFT path under the current algorithm.
  bool uses_fft() const;

  SpeCodes codes(std::int64_t begin, std::int64_t end, int realizations, const NoiseContext& noise,
                 int generator_index) const override;
  std::unique_ptr<CodeStream> open_stream(std::int64_t start, int realizations, const NoiseContext& noise,
                                          int generator_index) const override;
  torch::Tensor kernel(std::int64_t max_lag) const override;
  void reset_parameters(at::Generator& generator) override;

  // Noise columns [first, first + count) as (count, R, H·D) in `options`.
  torch::Tensor noise_columns(std::int64_t first, std::int64_t count, int realizations, const NoiseContext& noise,
                              int generator_index, const torch::TensorOptions& options) const;

  torch::nn::Conv1d conv_q{nullptr}, conv_k{nullptr};  // weights (H·D, 1, K), no bias

 private:
  int kernel_size_;
  ConvAlgorithm algorithm_;
};

// Smallest 2^a·3^b ≥ n (n ≥ 1): a size pocketfft transforms fast.
std::int64_t fast_fft_size(std::int64_t n);
// Valid cross-correlation out[c, t] = Σ_j w[c, j]·z[…, c, t + j] for t < z.size(-1) − K + 1, by FFT.
// z (…, C, L), w (C, K) → (…, C, L − K + 1). Overlap-save: blocks of B = fast size, each yielding B − K + 1
// outputs, so the cost is O(L·log B) with memory ≈ (B / (B − K + 1)) × the output. Differentiable in w and z.
torch::Tensor fft_valid_correlation(const torch::Tensor& z, const torch::Tensor& w);

}  // namespace spe::model
