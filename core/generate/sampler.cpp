#include "generate/sampler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace spe::generate {

CandidateList CandidateList::from_logits(std::span<const float> logits) {
  CandidateList list;
  list.items.reserve(logits.size());
  // -inf means "impossible" and NaN cannot be ranked: neither can ever be drawn.
  for (std::size_t i = 0; i < logits.size(); ++i)
    if (std::isfinite(logits[i])) list.items.push_back({static_cast<int>(i), logits[i]});
  if (list.items.empty()) throw std::runtime_error("the model produced no finite logit for this step");
  return list;
}

void CandidateList::sort_descending() {
  if (sorted) return;
  // Stable order for equal logits (lower id first) keeps draws reproducible across library versions.
  std::sort(items.begin(), items.end(), [](const TokenCandidate& a, const TokenCandidate& b) {
    return a.logit != b.logit ? a.logit > b.logit : a.id < b.id;
  });
  sorted = true;
}

std::vector<double> CandidateList::probabilities() const {
  std::vector<double> p(items.size());
  if (items.empty()) return p;
  double max_logit = -std::numeric_limits<double>::infinity();
  for (const auto& c : items) max_logit = std::max(max_logit, static_cast<double>(c.logit));
  double sum = 0.0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    p[i] = std::exp(static_cast<double>(items[i].logit) - max_logit);
    sum += p[i];
  }
  for (double& x : p) x /= sum;
  return p;
}

void GrammarMaskStage::apply(CandidateList& candidates, SamplingContext& context) const {
  if (context.allowed.empty()) return;
  std::vector<TokenCandidate> kept;
  kept.reserve(candidates.items.size());
  for (const auto& c : candidates.items)
    if (static_cast<std::size_t>(c.id) < context.allowed.size() && context.allowed[c.id]) kept.push_back(c);
  if (!kept.empty()) candidates.items = std::move(kept);
}

TemperatureStage::TemperatureStage(float temperature) : temperature_(temperature) {
  if (!(temperature >= 0.0f) || !std::isfinite(temperature))
    throw std::invalid_argument("temperature must be a finite number >= 0, got " + std::to_string(temperature));
}

void TemperatureStage::apply(CandidateList& candidates, SamplingContext&) const {
  if (temperature_ == 0.0f) {
    candidates.sort_descending();
    candidates.items.resize(1);
    return;
  }
  if (temperature_ == 1.0f) return;
  for (auto& c : candidates.items) c.logit /= temperature_;
}

std::string TemperatureStage::describe() const {
  std::ostringstream out;
  out << "temperature(" << temperature_ << ")";
  return out.str();
}

TopKStage::TopKStage(int k) : k_(k) {}

void TopKStage::apply(CandidateList& candidates, SamplingContext&) const {
  if (k_ <= 0 || static_cast<std::size_t>(k_) >= candidates.items.size()) return;
  candidates.sort_descending();
  candidates.items.resize(static_cast<std::size_t>(k_));
}

std::string TopKStage::describe() const { return "top_k(" + std::to_string(k_) + ")"; }

TopPStage::TopPStage(float p) : p_(p) {
  if (!(p > 0.0f) || !std::isfinite(p)) throw std::invalid_argument("top-p must be in (0, 1], got " + std::to_string(p));
}

void TopPStage::apply(CandidateList& candidates, SamplingContext&) const {
  if (p_ >= 1.0f) return;
  candidates.sort_descending();
  const std::vector<double> probs = candidates.probabilities();
  double mass = 0.0;
  std::size_t keep = probs.size();
  for (std::size_t i = 0; i < probs.size(); ++i) {
    mass += probs[i];
    if (mass > static_cast<double>(p_)) {  // strictly exceeds: this crossing token is the last kept
      keep = i + 1;
      break;
    }
  }
  candidates.items.resize(keep);
}

std::string TopPStage::describe() const {
  std::ostringstream out;
  out << "top_p(" << p_ << ")";
  return out.str();
}

SamplerChain& SamplerChain::add(std::unique_ptr<SamplerStage> stage) {
  stages_.push_back(std::move(stage));
  return *this;
}

std::size_t draw_index(std::span<const double> probabilities, double uniform) {
  double cumulative = 0.0;
  for (std::size_t i = 0; i < probabilities.size(); ++i) {
    cumulative += probabilities[i];
    if (uniform < cumulative) return i;
  }
  // Rounding left the total just below 1 and the uniform fell in the gap: take the last positive entry.
  for (std::size_t i = probabilities.size(); i-- > 0;)
    if (probabilities[i] > 0.0) return i;
  return 0;
}

int SamplerChain::sample(CandidateList& candidates, SamplingContext& context) const {
  for (const auto& stage : stages_) stage->apply(candidates, context);
  if (!context.rng) throw std::logic_error("SamplerChain::sample needs a random stream");
  // Always consume exactly one uniform per draw so that candidate streams stay aligned with positions.
  const double u = context.rng->uniform();
  const std::vector<double> probs = candidates.probabilities();
  return candidates.items[draw_index(probs, u)].id;
}

int SamplerChain::sample(std::span<const float> logits, SamplingContext& context) const {
  CandidateList candidates = CandidateList::from_logits(logits);
  return sample(candidates, context);
}

std::vector<std::pair<int, double>> SamplerChain::final_distribution(std::span<const float> logits,
                                                                     SamplingContext& context) const {
  CandidateList candidates = CandidateList::from_logits(logits);
  for (const auto& stage : stages_) stage->apply(candidates, context);
  const std::vector<double> probs = candidates.probabilities();
  std::vector<std::pair<int, double>> out;
  out.reserve(probs.size());
  for (std::size_t i = 0; i < probs.size(); ++i) out.emplace_back(candidates.items[i].id, probs[i]);
  return out;
}

std::string SamplerChain::describe() const {
  std::string out;
  for (const auto& stage : stages_) {
    if (!out.empty()) out += " -> ";
    out += stage->describe();
  }
  return out.empty() ? "draw" : out + " -> draw";
}

SamplerChain make_sampler_chain(bool use_grammar, float temperature, int top_k, float top_p) {
  SamplerChain chain;
  if (use_grammar) chain.add(std::make_unique<GrammarMaskStage>());
  chain.add(std::make_unique<TemperatureStage>(temperature));
  if (top_k > 0) chain.add(std::make_unique<TopKStage>(top_k));
  if (top_p < 1.0f) chain.add(std::make_unique<TopPStage>(top_p));
  return chain;
}

TokenStatistics token_statistics(std::span<const float> logits, int token) {
  double max_logit = -std::numeric_limits<double>::infinity();
  for (float l : logits)
    if (std::isfinite(l)) max_logit = std::max(max_logit, static_cast<double>(l));
  double sum = 0.0, weighted = 0.0;
  for (float l : logits) {
    if (!std::isfinite(l)) continue;
    const double shifted = static_cast<double>(l) - max_logit;
    const double e = std::exp(shifted);
    sum += e;
    weighted += e * shifted;
  }
  const double log_z = std::log(sum);
  TokenStatistics stats;
  stats.entropy = static_cast<float>(log_z - weighted / sum);  // H = log Z − E[shifted logit]
  const bool valid = token >= 0 && static_cast<std::size_t>(token) < logits.size() && std::isfinite(logits[token]);
  stats.log_prob = valid ? static_cast<float>(static_cast<double>(logits[token]) - max_logit - log_z)
                         : -std::numeric_limits<float>::infinity();
  return stats;
}

}  // namespace spe::generate
