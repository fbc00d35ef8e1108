#pragma once
// Token embedding and absolute positional encodings (SPE.md §3.1).
//   TokenEmbedding: emb_lookup (V, d) scaled by sqrt(d).
//   SinusoidalAPE : buffer `pe` (max_len, 1, d); even dims sin, odd dims cos, div term exp(−2i·ln(10000)/d).
//                   Rows beyond the table are computed on the fly from the same formula, so generation
//                   can go arbitrarily far.
//   LearnedAPE    : parameter `pe` (max_len, 1, d); positions ≥ max_len have no learned row and raise
//                   std::out_of_range naming the limit (a learned table cannot extrapolate).

#include <cstdint>

#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/types.h>

namespace spe::model {

class TokenEmbedding : public torch::nn::Module {
 public:
  TokenEmbedding(int vocab_size, int d_model);
  torch::Tensor forward(const torch::Tensor& tokens) const;  // (...) → (..., d)
  torch::nn::Embedding emb_lookup{nullptr};
  double scale() const { return scale_; }

 private:
  double scale_;
};

class AbsolutePositionalEncoding : public torch::nn::Module {
 public:
  // Rows for positions [begin, end) as (end − begin, d).
  virtual torch::Tensor rows(std::int64_t begin, std::int64_t end) const = 0;
};

// The sinusoidal table, computed in float64 for positions [begin, end): (end − begin, d).
torch::Tensor sinusoidal_table(std::int64_t begin, std::int64_t end, int d_model);

class SinusoidalAPE : public AbsolutePositionalEncoding {
 public:
  SinusoidalAPE(int d_model, std::int64_t max_len);
  torch::Tensor rows(std::int64_t begin, std::int64_t end) const override;
  torch::Tensor pe;

 private:
  int d_model_;
};

class LearnedAPE : public AbsolutePositionalEncoding {
 public:
  LearnedAPE(int d_model, std::int64_t max_len);
  torch::Tensor rows(std::int64_t begin, std::int64_t end) const override;
  torch::Tensor pe;
};

}  // namespace spe::model
