#pragma once
// A small causal LM (embedding → LSTM → linear, with dropout and seed-driven input noise) standing in for
// the Performer in trainer tests that must run in a second: it exercises every random input the
// trainer controls (dropout via the global generator, per-batch noise via NoiseSeeds).

#include <torch/torch.h>

#include <vector>

#include "train/token_cache.hpp"
#include "train/trainable_model.hpp"

namespace spe::test {

struct ToyLMImpl : torch::nn::Module {
  ToyLMImpl(int vocab, int dim) {
    emb = register_module("emb", torch::nn::Embedding(vocab, dim));
    lstm = register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(dim, dim).batch_first(true)));
    drop = register_module("drop", torch::nn::Dropout(0.1));
    out = register_module("out", torch::nn::Linear(dim, vocab));
  }
  torch::Tensor forward(const torch::Tensor& tokens, const train::NoiseSeeds& seeds) {
    auto x = emb(tokens);
    auto gen = at::detail::createCPUGenerator(seeds.code ^ (seeds.features << 1));
    x = x + 0.01 * at::normal(0.0, 1.0, x.sizes(), gen).to(x.device());
    x = std::get<0>(lstm(drop(x)));
    return out(x);
  }
  torch::nn::Embedding emb{nullptr};
  torch::nn::LSTM lstm{nullptr};
  torch::nn::Dropout drop{nullptr};
  torch::nn::Linear out{nullptr};
};
TORCH_MODULE(ToyLM);

inline train::TrainableLM toy_trainable(int vocab, int dim, int init_seed) {
  torch::manual_seed(static_cast<std::uint64_t>(init_seed));
  ToyLM m(vocab, dim);
  train::TrainableLM lm;
  lm.module = m.ptr();
  lm.vocab_size = vocab;
  lm.logits = [m](const at::Tensor& tokens, const train::NoiseSeeds& s) mutable { return m->forward(tokens, s); };
  return lm;
}

// Songs that follow a simple rule (token i+1 = token i + 1 mod 12, offset by song): learnable in a few steps.
inline std::vector<train::TokenSeq> rule_songs(int n, int len) {
  std::vector<train::TokenSeq> songs;
  for (int s = 0; s < n; ++s) {
    train::TokenSeq t;
    for (int i = 0; i < len; ++i) t.push_back(1 + (s + i) % 12);
    songs.push_back(t);
  }
  return songs;
}

}  // namespace spe::test
