// The event-token grammar: bos first and only first; note_on(t,p) only when (t,p) is silent;
// note_off(t,p) only for a note that is sounding and began strictly earlier (so no zero-length
// note); time never moves backward (time_shift(0,τ) only for τ > current tick, or ≥ with the paper's
// redundant shifts); eos only when no note is sounding, and nothing after it. A sequence it accepts
// that ends with eos decodes with an empty report. Notes need no length bound for that.
#include <array>
#include <memory>

#include "tokens/event_tokenizer.hpp"

namespace spe::tokens {
namespace {

using music::Tick;
using namespace event_ids;

class EventGrammar final : public Grammar {
 public:
  explicit EventGrammar(bool paper_time_shifts) : paper_(paper_time_shifts) { reset(); }

  void reset() override {
    started_ = done_ = false;
    time_ = 0;
    open_.fill(-1);
    sounding_ = 0;
  }

  bool advance(TokenId token, std::string* why) override {
    if (token < 0 || token >= kSize) {
      if (why) *why = "token id " + std::to_string(token) + " is outside the vocabulary";
      return false;
    }
    if (!is_allowed(token)) {
      if (why) *why = reason(token);
      return false;
    }
    if (token == kBos) {
      started_ = true;
    } else if (token == kEos) {
      done_ = true;
    } else if (token < kNoteOff) {
      open_[static_cast<std::size_t>(token)] = time_;
      ++sounding_;
    } else if (token < kShift0) {
      open_[static_cast<std::size_t>(token - kNoteOff)] = -1;
      --sounding_;
    } else {
      time_ = time_ - time_ % kTicksPerBeat + shift_of(token);
    }
    return true;
  }

  void allowed(std::vector<std::uint8_t>& mask) const override {
    mask.assign(kSize, 0);
    for (TokenId t = 0; t < kSize; ++t) mask[static_cast<std::size_t>(t)] = is_allowed(t) ? 1 : 0;
  }

  bool finished() const override { return done_; }
  std::unique_ptr<Grammar> clone() const override { return std::make_unique<EventGrammar>(*this); }

 private:
  static Tick shift_of(TokenId t) {  // ticks from the start of the current beat
    if (t < kShift1) return t - kShift0 + 1;
    if (t < kShift2) return kTicksPerBeat + (t - kShift1);
    return 2 * kTicksPerBeat;
  }

  bool is_allowed(TokenId t) const {
    if (done_) return false;
    if (!started_) return t == kBos;
    if (t == kBos) return false;
    if (t == kEos) return sounding_ == 0;
    if (t < kNoteOff) return open_[static_cast<std::size_t>(t)] < 0;
    if (t < kShift0) {
      const Tick start = open_[static_cast<std::size_t>(t - kNoteOff)];
      return start >= 0 && start < time_;
    }
    if (t < kShift1) {
      const Tick tau = shift_of(t), tick = time_ % kTicksPerBeat;
      return paper_ ? tau >= tick : tau > tick;
    }
    return true;
  }

  std::string reason(TokenId t) const {
    if (done_) return "nothing may follow eos";
    if (!started_) return "an event sequence must begin with bos";
    if (t == kBos) return "bos may only come first";
    if (t == kEos) return "eos while " + std::to_string(sounding_) + " notes are still sounding";
    if (t < kNoteOff) return "note_on for a note that is already sounding";
    if (t < kShift0) return "note_off for a note that is not sounding or began at this very tick";
    return "time_shift(0," + std::to_string(shift_of(t)) + ") would not move forward from tick " +
           std::to_string(time_ % kTicksPerBeat) + " of the beat";
  }

  bool paper_;
  bool started_ = false, done_ = false;
  Tick time_ = 0;
  std::array<Tick, 128 * kTracks> open_{};  // onset of the sounding note per (track, pitch), -1 when silent
  int sounding_ = 0;
};

}  // namespace

std::unique_ptr<Grammar> EventTokenizer::grammar() const {
  return std::make_unique<EventGrammar>(options_.paper_time_shifts);
}

}  // namespace spe::tokens
