#pragma once
// One GenerationSession per take (llama.cpp's context, whisper.cpp's state): the recurrent model state of
// every candidate, their random streams, grammar cursors and the tokens so far. The model and the scheme
// are borrowed, immutable and shareable between sessions. No torch here.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "generate/incremental_model.hpp"
#include "generate/params.hpp"
#include "generate/sampler.hpp"
#include "generate/seed.hpp"
#include "generate/token_scheme.hpp"

namespace spe::generate {

enum class StopReason { Length, EndOfSequence, TokenCap, Aborted };
const char* to_string(StopReason reason);

// One take as it grows: prompt + generated tokens, with statistics per generated token.
struct CandidateTrace {
  std::vector<int> tokens;             // prompt first, then generated
  std::size_t prompt_length = 0;
  std::vector<float> entropy;          // nats, of the model's distribution at each generated token
  std::vector<float> log_prob;         // log p(token) under that distribution (loss = −log_prob)
  std::vector<std::int64_t> invalid_positions;  // tokens the scheme rejected (only with the grammar off)
  std::uint64_t sampler_seed = 0;
  int sampler_index = 0;               // first_candidate + c: which stream of the take's seed it uses
  std::optional<StopReason> stopped;   // set once this candidate is finished

  std::size_t generated() const { return tokens.size() - prompt_length; }
  // The tokens with the rejected ones removed: what decoding should see.
  std::vector<int> valid_tokens() const;
};

class GenerationSession {
 public:
  GenerationSession(const IncrementalModel& model, const TokenScheme& scheme, GenerationParams params);
  ~GenerationSession();
  GenerationSession(const GenerationSession&) = delete;
  GenerationSession& operator=(const GenerationSession&) = delete;

  // Consumes the prompt once, at batch 1, through the recurrent state (an empty prompt means the scheme's
  // start tokens), then copies the state to every candidate. Throws on an unusable prompt.
  void start(std::span<const int> prompt);
  // Draws one token for every unfinished candidate. Returns false when all are finished.
  bool step(const GenerationCallbacks& callbacks = {});
  // Steps until every candidate is finished or should_abort() returns true (checked before each token,
  // so an abort takes effect within one token). Partial results stay in candidates().
  StopReason run(const GenerationCallbacks& callbacks = {});

  const std::vector<CandidateTrace>& candidates() const { return traces_; }
  const GenerationParams& params() const { return params_; }
  double progress() const;
  bool finished() const;
  std::int64_t position() const;  // tokens consumed by the model, prompt included
  // The seed of every random draw inside the model for this take (SPE noise, gating noise, features).
  std::uint64_t model_seed() const { return derive_seed(params_.seed, "model"); }

  // Bar indices (0-based) of candidate c at which a rewind point exists (the newest
  // params.max_bar_snapshots bars, plus the end of the prompt).
  std::vector<int> rewind_points(int candidate) const;
  // A new single-candidate session continuing candidate c right after the token that began bar
  // `bar_index`: same tokens up to there, same model state (no prefix is recomputed). Without a seed the
  // original random stream resumes, so stepping reproduces the original take; with one the rest is
  // re-rolled from derive_seed(seed, "reroll", bar_index). Throws if no snapshot exists for that bar.
  std::unique_ptr<GenerationSession> rewind(int candidate, int bar_index,
                                            std::optional<std::uint64_t> reroll_seed = std::nullopt) const;

 private:
  struct Snapshot;
  struct Lane;  // per-candidate cursor, stream, origin and snapshots
  void take_bar_snapshot(int candidate);
  bool lane_done(int candidate) const;
  double lane_progress(int candidate) const;
  void finish(int candidate, StopReason reason);

  const IncrementalModel& model_;
  const TokenScheme& scheme_;
  GenerationParams params_;
  SamplerChain chain_;
  std::unique_ptr<ModelState> state_;
  std::vector<float> logits_;  // pending next-token logits, batch × vocab
  std::vector<CandidateTrace> traces_;
  std::vector<Lane> lanes_;
  std::vector<std::uint8_t> mask_;
  bool started_ = false;
  bool aborted_ = false;
};

}  // namespace spe::generate
