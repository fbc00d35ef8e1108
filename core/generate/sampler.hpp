#pragma once
// The sampler chain, llama.cpp style: a list of candidates (token, logit) flows through small stages —
// grammar mask → temperature → top-k → top-p → seeded draw — each of which only removes candidates or
// rescales logits. No torch here: the session copies one row of logits to the CPU and samples it.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "generate/seed.hpp"

namespace spe::generate {

struct TokenCandidate {
  int id = 0;
  float logit = 0.0f;
};

// The candidates still in the running. `sorted` is true once a stage has ordered them by descending logit.
struct CandidateList {
  std::vector<TokenCandidate> items;
  bool sorted = false;

  static CandidateList from_logits(std::span<const float> logits);
  void sort_descending();
  // Softmax over the surviving candidates (same order as `items`), computed in double.
  std::vector<double> probabilities() const;
};

// What a stage may look at besides the candidates: the legal-next-token mask of this step (empty when the
// grammar is off) and the take's random stream.
struct SamplingContext {
  std::span<const std::uint8_t> allowed;
  Rng* rng = nullptr;
};

class SamplerStage {
 public:
  virtual ~SamplerStage() = default;
  virtual void apply(CandidateList& candidates, SamplingContext& context) const = 0;
  virtual std::string describe() const = 0;
};

// Removes tokens the scheme's grammar forbids. If the mask forbids everything the list is left untouched
// (a grammar bug must not stall generation; the session reports the token as invalid instead).
class GrammarMaskStage final : public SamplerStage {
 public:
  void apply(CandidateList& candidates, SamplingContext& context) const override;
  std::string describe() const override { return "grammar"; }
};

// Divides logits by T > 0. T = 0 means greedy: only the best candidate survives.
class TemperatureStage final : public SamplerStage {
 public:
  explicit TemperatureStage(float temperature);
  void apply(CandidateList& candidates, SamplingContext& context) const override;
  std::string describe() const override;

 private:
  float temperature_;
};

// Keeps the k most likely candidates (k ≤ 0: no-op). Ties at the boundary are broken by token id.
class TopKStage final : public SamplerStage {
 public:
  explicit TopKStage(int k);
  void apply(CandidateList& candidates, SamplingContext& context) const override;
  std::string describe() const override;

 private:
  int k_;
};

// Nucleus sampling (SPE.md §3.1): keep the smallest prefix of the sorted candidates whose probability mass
// exceeds p, the crossing token included. p ≥ 1: no-op.
class TopPStage final : public SamplerStage {
 public:
  explicit TopPStage(float p);
  void apply(CandidateList& candidates, SamplingContext& context) const override;
  std::string describe() const override;

 private:
  float p_;
};

// The chain plus the final seeded categorical draw (inverse CDF on one uniform from the context's Rng).
class SamplerChain {
 public:
  SamplerChain& add(std::unique_ptr<SamplerStage> stage);
  // Runs the stages and draws. `candidates` is left holding what survived (for inspection and tests).
  int sample(CandidateList& candidates, SamplingContext& context) const;
  int sample(std::span<const float> logits, SamplingContext& context) const;
  // The distribution the draw would use after all stages: (id, probability) pairs, probabilities sum to 1.
  std::vector<std::pair<int, double>> final_distribution(std::span<const float> logits,
                                                         SamplingContext& context) const;
  std::string describe() const;
  std::size_t size() const { return stages_.size(); }

 private:
  std::vector<std::unique_ptr<SamplerStage>> stages_;
};

// The standard chain: grammar (when `use_grammar`) → temperature → top-k → top-p.
SamplerChain make_sampler_chain(bool use_grammar, float temperature, int top_k, float top_p);

// Draws an index from `probabilities` (sum 1) with one uniform: inverse CDF, robust to rounding.
std::size_t draw_index(std::span<const double> probabilities, double uniform);

// Per-token statistics of the model's own distribution (raw logits, T = 1): entropy in nats and the
// log-probability of `token`. These feed the loss/entropy-vs-position view.
struct TokenStatistics {
  float entropy = 0.0f;
  float log_prob = 0.0f;
};
TokenStatistics token_statistics(std::span<const float> logits, int token);

}  // namespace spe::generate
