#include "generate/session.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace spe::generate {

namespace {
constexpr int kMaxEndingTokens = 512;
}  // namespace

const char* to_string(StopReason reason) {
  switch (reason) {
    case StopReason::Length: return "length";
    case StopReason::EndOfSequence: return "end-of-sequence";
    case StopReason::TokenCap: return "token-cap";
    case StopReason::Aborted: return "aborted";
  }
  return "unknown";
}

std::vector<int> CandidateTrace::valid_tokens() const {
  std::vector<int> out;
  out.reserve(tokens.size());
  std::size_t next_invalid = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (next_invalid < invalid_positions.size() &&
        invalid_positions[next_invalid] == static_cast<std::int64_t>(i)) {
      ++next_invalid;
      continue;
    }
    out.push_back(tokens[i]);
  }
  return out;
}

// Everything needed to continue one candidate from a bar boundary without recomputing its prefix.
struct GenerationSession::Snapshot {
  int bar_index = 0;
  std::unique_ptr<ModelState> state;  // batch 1, the boundary token already consumed
  std::unique_ptr<SequenceCursor> cursor;
  Rng rng;
  std::vector<float> logits;          // next-token logits at the boundary
  std::size_t tokens = 0, invalid = 0;
};

struct GenerationSession::Lane {
  std::unique_ptr<SequenceCursor> cursor;
  Rng rng;
  int last_bar = 0;
  // Where the take's length is measured from (the end of the prompt).
  int first_fresh_bar = 0;
  double seconds_origin = 0.0;
  std::size_t token_cap = 0;
  // After the length is reached the take is closed cleanly (restrict_to_ending) before it stops.
  bool ending = false;
  int ending_tokens = 0;
  StopReason end_reason = StopReason::Length;
  std::deque<Snapshot> snapshots;  // bar boundaries, oldest first (the prompt end is kept at the front)
};

GenerationSession::GenerationSession(const IncrementalModel& model, const TokenScheme& scheme,
                                     GenerationParams params)
    : model_(model), scheme_(scheme), params_(params),
      chain_(make_sampler_chain(params.use_grammar, params.temperature, params.top_k, params.top_p)) {
  if (params_.candidates < 1) throw std::invalid_argument("the number of candidates must be at least 1");
  if (params_.first_candidate < 0) throw std::invalid_argument("first_candidate must be >= 0");
  if (!(params_.length > 0) || !std::isfinite(params_.length))
    throw std::invalid_argument("the generation length must be a positive number");
  if (params_.top_k < 0) throw std::invalid_argument("top-k must be >= 0");
  if (params_.top_p > 1.0f) throw std::invalid_argument("top-p must be in (0, 1]");
  if (model_.vocab_size() != scheme_.vocab_size())
    throw std::invalid_argument("model vocabulary (" + std::to_string(model_.vocab_size()) +
                                " tokens) does not match the " + scheme_.name() + " scheme (" +
                                std::to_string(scheme_.vocab_size()) + " tokens)");
}

GenerationSession::~GenerationSession() = default;

void GenerationSession::start(std::span<const int> prompt_in) {
  if (started_) throw std::logic_error("GenerationSession::start called twice");
  std::vector<int> prompt(prompt_in.begin(), prompt_in.end());
  if (prompt.empty()) prompt = scheme_.start_tokens();
  if (prompt.empty()) throw std::invalid_argument("the prompt is empty and the scheme has no start tokens");
  const int vocab = model_.vocab_size();
  auto cursor = scheme_.make_cursor();
  std::vector<std::int64_t> invalid;
  for (std::size_t i = 0; i < prompt.size(); ++i) {
    if (prompt[i] < 0 || prompt[i] >= vocab)
      throw std::invalid_argument("prompt token " + std::to_string(prompt[i]) + " at position " +
                                  std::to_string(i) + " is outside the vocabulary (0.." +
                                  std::to_string(vocab - 1) + ")");
    if (!cursor->advance(prompt[i])) invalid.push_back(static_cast<std::int64_t>(i));
  }

  // The prompt runs once at batch 1; its last logits are the first sampling distribution of every take.
  auto state = model_.begin_sequence(1, model_seed());
  std::vector<float> row(static_cast<std::size_t>(vocab));
  for (int token : prompt) {
    const int one[1] = {token};
    model_.step(*state, one, row);
  }
  const int count = params_.candidates;
  state_ = count == 1 ? std::move(state) : model_.expand(*state, count);
  logits_.resize(static_cast<std::size_t>(count) * vocab);
  for (int c = 0; c < count; ++c) std::copy(row.begin(), row.end(), logits_.begin() + std::size_t(c) * vocab);

  traces_.assign(count, CandidateTrace{});
  lanes_.clear();
  lanes_.resize(count);
  for (int c = 0; c < count; ++c) {
    CandidateTrace& t = traces_[c];
    t.tokens = prompt;
    t.prompt_length = prompt.size();
    t.invalid_positions = invalid;
    t.sampler_index = params_.first_candidate + c;
    t.sampler_seed = derive_seed(params_.seed, "sampler", static_cast<std::uint64_t>(t.sampler_index));
    Lane& lane = lanes_[c];
    lane.cursor = cursor->clone();
    lane.rng = Rng(t.sampler_seed);
    lane.last_bar = lane.cursor->bar_index();
    lane.first_fresh_bar = lane.cursor->bar_index() < 0 ? 0
                           : lane.cursor->at_bar_start() ? lane.cursor->bar_index()
                                                         : lane.cursor->bar_index() + 1;
    lane.seconds_origin = lane.cursor->seconds();
    // Bars and seconds can only be reached if the model produces time; cap runaway takes.
    const double n = params_.length;
    lane.token_cap = params_.length_unit == LengthUnit::Tokens  ? static_cast<std::size_t>(std::llround(n))
                     : params_.length_unit == LengthUnit::Bars ? static_cast<std::size_t>(1024.0 * n + 1024.0)
                                                               : static_cast<std::size_t>(256.0 * n + 1024.0);
    if (lane.token_cap == 0) lane.token_cap = 1;
  }
  mask_.assign(static_cast<std::size_t>(vocab), 0);
  started_ = true;
  for (int c = 0; c < count; ++c) take_bar_snapshot(c);
}

void GenerationSession::take_bar_snapshot(int c) {
  Lane& lane = lanes_[c];
  if (params_.max_bar_snapshots <= 0) return;
  const int vocab = model_.vocab_size();
  Snapshot snap;
  snap.bar_index = lane.cursor->bar_index();
  snap.state = state_->batch() == 1 ? state_->clone() : model_.select_row(*state_, c);
  snap.cursor = lane.cursor->clone();
  snap.rng = lane.rng;
  snap.logits.assign(logits_.begin() + std::size_t(c) * vocab, logits_.begin() + std::size_t(c + 1) * vocab);
  snap.tokens = traces_[c].tokens.size();
  snap.invalid = traces_[c].invalid_positions.size();
  lane.snapshots.push_back(std::move(snap));
  // Keep the prompt end (front) and the newest bars: memory stays bounded however long the take runs.
  const std::size_t limit = static_cast<std::size_t>(params_.max_bar_snapshots) + 1;
  if (lane.snapshots.size() > limit) lane.snapshots.erase(lane.snapshots.begin() + 1);
}

bool GenerationSession::lane_done(int c) const { return traces_[c].stopped.has_value(); }

void GenerationSession::finish(int c, StopReason reason) {
  if (!traces_[c].stopped) traces_[c].stopped = reason;
}

double GenerationSession::lane_progress(int c) const {
  if (lane_done(c)) return 1.0;
  const Lane& lane = lanes_[c];
  const CandidateTrace& t = traces_[c];
  double f = 0.0;
  switch (params_.length_unit) {
    case LengthUnit::Tokens: f = double(t.generated()) / params_.length; break;
    case LengthUnit::Bars: f = double(lane.cursor->bar_index() - lane.first_fresh_bar) / params_.length; break;
    case LengthUnit::Seconds: f = (lane.cursor->seconds() - lane.seconds_origin) / params_.length; break;
  }
  return std::clamp(f, 0.0, 1.0);
}

double GenerationSession::progress() const {
  if (traces_.empty()) return 0.0;
  double sum = 0.0;
  for (int c = 0; c < static_cast<int>(traces_.size()); ++c) sum += lane_progress(c);
  return sum / double(traces_.size());
}

bool GenerationSession::finished() const {
  for (int c = 0; c < static_cast<int>(traces_.size()); ++c)
    if (!lane_done(c)) return false;
  return started_;
}

std::int64_t GenerationSession::position() const { return state_ ? state_->position() : 0; }

bool GenerationSession::step(const GenerationCallbacks& cb) {
  if (!started_) throw std::logic_error("GenerationSession::step before start");
  if (finished()) return false;
  if (cb.should_abort && cb.should_abort()) {
    aborted_ = true;
    for (int c = 0; c < static_cast<int>(traces_.size()); ++c) finish(c, StopReason::Aborted);
    return false;
  }
  const int vocab = model_.vocab_size();
  const int count = static_cast<int>(traces_.size());
  std::vector<int> feed(static_cast<std::size_t>(count), scheme_.filler_token());
  std::vector<char> stepped(static_cast<std::size_t>(count), 0);
  for (int c = 0; c < count; ++c) {
    if (lane_done(c)) continue;
    Lane& lane = lanes_[c];
    CandidateTrace& t = traces_[c];
    std::span<const float> row(logits_.data() + std::size_t(c) * vocab, static_cast<std::size_t>(vocab));
    if (cb.on_logits) cb.on_logits(c, row);
    SamplingContext ctx;
    ctx.rng = &lane.rng;
    if (params_.use_grammar) {
      lane.cursor->allowed(mask_);
      const int end = scheme_.end_token();
      if (lane.ending) lane.cursor->restrict_to_ending(mask_);
      else if (!params_.stop_at_eos && end >= 0 && end < vocab) mask_[end] = 0;
      ctx.allowed = mask_;
    }
    const int token = chain_.sample(row, ctx);
    const TokenStatistics stats = token_statistics(row, token);
    const auto pos = static_cast<std::int64_t>(t.tokens.size());
    t.tokens.push_back(token);
    t.entropy.push_back(stats.entropy);
    t.log_prob.push_back(stats.log_prob);
    if (!lane.cursor->advance(token)) t.invalid_positions.push_back(pos);
    feed[c] = token;
    stepped[c] = 1;
    if (cb.on_token) cb.on_token(c, token, pos);
  }
  model_.step(*state_, feed, logits_);
  for (int c = 0; c < count; ++c) {
    if (!stepped[c]) continue;
    Lane& lane = lanes_[c];
    const int bar = lane.cursor->bar_index();
    if (bar != lane.last_bar) {
      lane.last_bar = bar;
      if (!lane.ending) take_bar_snapshot(c);  // rewind points lie inside the take, not in its closing
    }
    const CandidateTrace& t = traces_[c];
    if (lane.ending) {
      // A grammar that never reaches its end must not hold the take forever.
      if (lane.cursor->ended() || ++lane.ending_tokens >= kMaxEndingTokens) finish(c, lane.end_reason);
      continue;
    }
    std::optional<StopReason> reason;
    if (params_.stop_at_eos && lane.cursor->ended()) reason = StopReason::EndOfSequence;
    else if (lane_progress(c) >= 1.0) reason = StopReason::Length;
    else if (t.generated() >= lane.token_cap) reason = StopReason::TokenCap;
    if (!reason) continue;
    if (*reason != StopReason::EndOfSequence && params_.end_cleanly && params_.use_grammar &&
        scheme_.end_token() >= 0) {
      lane.ending = true;
      lane.end_reason = *reason;
    } else {
      finish(c, *reason);
    }
  }
  if (cb.on_progress) cb.on_progress(progress());
  return !finished();
}

StopReason GenerationSession::run(const GenerationCallbacks& callbacks) {
  while (step(callbacks)) {
  }
  if (aborted_) return StopReason::Aborted;
  // The take's overall reason: the first candidate's (they usually agree).
  return traces_.empty() || !traces_[0].stopped ? StopReason::Length : *traces_[0].stopped;
}

std::vector<int> GenerationSession::rewind_points(int c) const {
  if (c < 0 || c >= static_cast<int>(lanes_.size())) throw std::out_of_range("no candidate " + std::to_string(c));
  std::vector<int> bars;
  for (const auto& s : lanes_[c].snapshots) bars.push_back(s.bar_index);
  return bars;
}

std::unique_ptr<GenerationSession> GenerationSession::rewind(int c, int bar_index,
                                                             std::optional<std::uint64_t> reroll_seed) const {
  if (c < 0 || c >= static_cast<int>(lanes_.size())) throw std::out_of_range("no candidate " + std::to_string(c));
  const Lane& lane = lanes_[c];
  const auto it = std::find_if(lane.snapshots.rbegin(), lane.snapshots.rend(),
                               [&](const Snapshot& s) { return s.bar_index == bar_index; });
  if (it == lane.snapshots.rend())
    throw std::invalid_argument("no rewind point at bar " + std::to_string(bar_index) + " (kept: the newest " +
                                std::to_string(params_.max_bar_snapshots) + " bars and the prompt end)");
  const Snapshot& snap = *it;
  const CandidateTrace& src = traces_[c];

  GenerationParams p = params_;
  p.candidates = 1;
  p.first_candidate = src.sampler_index;
  auto out = std::make_unique<GenerationSession>(model_, scheme_, p);
  out->state_ = snap.state->clone();
  out->logits_ = snap.logits;
  CandidateTrace t;
  t.tokens.assign(src.tokens.begin(), src.tokens.begin() + static_cast<std::ptrdiff_t>(snap.tokens));
  t.prompt_length = src.prompt_length;
  const std::size_t gen = snap.tokens - src.prompt_length;
  t.entropy.assign(src.entropy.begin(), src.entropy.begin() + static_cast<std::ptrdiff_t>(gen));
  t.log_prob.assign(src.log_prob.begin(), src.log_prob.begin() + static_cast<std::ptrdiff_t>(gen));
  t.invalid_positions.assign(src.invalid_positions.begin(),
                             src.invalid_positions.begin() + static_cast<std::ptrdiff_t>(snap.invalid));
  t.sampler_index = src.sampler_index;
  t.sampler_seed = reroll_seed ? derive_seed(*reroll_seed, "reroll", static_cast<std::uint64_t>(bar_index))
                               : src.sampler_seed;
  out->traces_.push_back(std::move(t));
  Lane l;
  l.cursor = snap.cursor->clone();
  l.rng = reroll_seed ? Rng(out->traces_[0].sampler_seed) : snap.rng;
  l.last_bar = snap.bar_index;
  l.first_fresh_bar = lane.first_fresh_bar;
  l.seconds_origin = lane.seconds_origin;
  l.token_cap = lane.token_cap;
  out->lanes_.push_back(std::move(l));
  out->mask_.assign(static_cast<std::size_t>(model_.vocab_size()), 0);
  out->started_ = true;
  out->take_bar_snapshot(0);
  return out;
}

}  // namespace spe::generate
