#include "model/positional.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include <torch/torch.h>

namespace spe::model {

TokenEmbedding::TokenEmbedding(int vocab_size, int d_model) : scale_(std::sqrt(static_cast<double>(d_model))) {
  emb_lookup = register_module("emb_lookup", torch::nn::Embedding(vocab_size, d_model));
}

torch::Tensor TokenEmbedding::forward(const torch::Tensor& tokens) const {
  return torch::embedding(emb_lookup->weight, tokens) * scale_;
}

torch::Tensor sinusoidal_table(std::int64_t begin, std::int64_t end, int d_model) {
  auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  torch::Tensor position = torch::arange(begin, end, f64).unsqueeze(1);
  torch::Tensor div_term = torch::exp(torch::arange(0, d_model, 2, f64) * (-std::log(10000.0) / d_model));
  torch::Tensor table = torch::zeros({end - begin, d_model}, f64);
  torch::Tensor angle = position * div_term;  // (N, ceil(d/2))
  table.slice(1, 0, d_model, 2).copy_(torch::sin(angle));
  table.slice(1, 1, d_model, 2).copy_(torch::cos(angle.narrow(1, 0, d_model / 2)));
  return table;
}

SinusoidalAPE::SinusoidalAPE(int d_model, std::int64_t max_len) : d_model_(d_model) {
  pe = register_buffer("pe", sinusoidal_table(0, max_len, d_model).to(torch::kFloat32).unsqueeze(1));
}

torch::Tensor SinusoidalAPE::rows(std::int64_t begin, std::int64_t end) const {
  const std::int64_t table_len = pe.size(0);
  if (end <= table_len) return pe.slice(0, begin, end).squeeze(1);
  torch::Tensor extra = sinusoidal_table(std::max(begin, table_len), end, d_model_).to(pe.options());
  if (begin >= table_len) return extra;
  return torch::cat({pe.slice(0, begin, table_len).squeeze(1), extra}, 0);
}

LearnedAPE::LearnedAPE(int d_model, std::int64_t max_len) {
  pe = register_parameter("pe", torch::zeros({max_len, 1, d_model}));
}

torch::Tensor LearnedAPE::rows(std::int64_t begin, std::int64_t end) const {
  if (end > pe.size(0))
    throw std::out_of_range("learned positional encoding covers positions 0…" + std::to_string(pe.size(0) - 1) +
                            "; position " + std::to_string(end - 1) + " is beyond it");
  return pe.slice(0, begin, end).squeeze(1);
}

}  // namespace spe::model
