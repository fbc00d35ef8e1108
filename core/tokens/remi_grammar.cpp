// The REMI grammar: per bar `Bar (Beat_p [Chord] [Tempo] (Pitch Velocity Duration)*)*` with strictly
// increasing positions p inside a bar, the sequence ending `Bar EOS`; PAD never; a pitch may not start
// while an earlier note of that pitch still sounds (same-pitch overlaps do not survive a MIDI file, and
// the encoder never produces them). Any sequence it accepts decodes without a single report entry.
#include <array>
#include <memory>

#include "tokens/remi_tokenizer.hpp"

namespace spe::tokens {
namespace {

enum class State : std::uint8_t { Start, AfterBar, AfterBeat, AfterChord, AfterTempo, AfterPitch, AfterVelocity, AfterNote, Done };

class RemiGrammar final : public Grammar {
 public:
  explicit RemiGrammar(const RemiVocabulary& layout) : layout_(layout) { reset(); }

  void reset() override {
    state_ = State::Start;
    pos_ = -1;
    bar_ = -1;
    pitch_ = -1;
    until_.fill(0);
  }

  bool advance(TokenId token, std::string* why) override {
    if (!layout_.vocab().contains(token)) {
      if (why) *why = "token id " + std::to_string(token) + " is outside the vocabulary";
      return false;
    }
    if (!is_allowed(token)) {
      const auto& info = layout_.info(token);
      if (why && info.kind == RemiKind::Pitch && state_ != State::AfterPitch && state_ != State::AfterVelocity &&
          state_ != State::Start && state_ != State::AfterBar && state_ != State::Done)
        *why = "'" + layout_.vocab().name(token) + "' would overlap an earlier note of that pitch still sounding";
      else if (why)
        *why = "'" + layout_.vocab().name(token) + "' is not allowed " + where();
      return false;
    }
    const auto& info = layout_.info(token);
    switch (info.kind) {
      case RemiKind::Bar: state_ = State::AfterBar; pos_ = -1; ++bar_; break;
      case RemiKind::Beat: state_ = State::AfterBeat; pos_ = info.value; break;
      case RemiKind::Chord: state_ = State::AfterChord; break;
      case RemiKind::Tempo: state_ = State::AfterTempo; break;
      case RemiKind::Pitch: state_ = State::AfterPitch; pitch_ = info.value; break;
      case RemiKind::Velocity: state_ = State::AfterVelocity; break;
      case RemiKind::Duration:
        state_ = State::AfterNote;
        until_[static_cast<std::size_t>(pitch_)] =
            tick() + (info.value == 0 ? RemiVocabulary::kZeroDurationTicks : info.value);
        break;
      case RemiKind::Eos: state_ = State::Done; break;
      case RemiKind::Pad: break;  // never allowed
    }
    return true;
  }

  void allowed(std::vector<std::uint8_t>& mask) const override {
    mask.assign(layout_.vocab().size(), 0);
    for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = is_allowed(static_cast<TokenId>(i)) ? 1 : 0;
  }

  bool finished() const override { return state_ == State::Done; }
  std::unique_ptr<Grammar> clone() const override { return std::make_unique<RemiGrammar>(*this); }

 private:
  bool is_allowed(TokenId token) const {
    const auto& info = layout_.info(token);
    const bool bar_body = state_ == State::AfterBeat || state_ == State::AfterChord ||
                          state_ == State::AfterTempo || state_ == State::AfterNote;
    switch (info.kind) {
      case RemiKind::Bar: return state_ == State::AfterBar || state_ == State::Start || bar_body;
      case RemiKind::Eos: return state_ == State::AfterBar;
      case RemiKind::Beat: return (state_ == State::AfterBar || bar_body) && info.value > pos_;
      case RemiKind::Chord: return state_ == State::AfterBeat;
      case RemiKind::Tempo: return state_ == State::AfterBeat || state_ == State::AfterChord;
      case RemiKind::Pitch: return bar_body && until_[static_cast<std::size_t>(info.value)] <= tick();
      case RemiKind::Velocity: return state_ == State::AfterPitch;
      case RemiKind::Duration: return state_ == State::AfterVelocity;
      case RemiKind::Pad: return false;
    }
    return false;
  }

  std::string where() const {
    switch (state_) {
      case State::Start: return "at the start (a REMI sequence begins with Bar_None)";
      case State::AfterBar: return "after Bar_None";
      case State::AfterBeat: return "after Beat_" + std::to_string(pos_);
      case State::AfterChord: return "after a Chord";
      case State::AfterTempo: return "after a Tempo";
      case State::AfterPitch: return "after Note_Pitch (Note_Velocity must follow)";
      case State::AfterVelocity: return "after Note_Velocity (Note_Duration must follow)";
      case State::AfterNote: return "after a note at Beat_" + std::to_string(pos_);
      case State::Done: return "after EOS";
    }
    return "";
  }

  std::int64_t tick() const {
    return bar_ * RemiVocabulary::kTicksPerBar + pos_ * RemiVocabulary::kTicksPerPosition;
  }

  const RemiVocabulary& layout_;
  State state_ = State::Start;
  int pos_ = -1;
  std::int64_t bar_ = -1;
  int pitch_ = -1;  // of the note being read
  std::array<std::int64_t, 128> until_{};  // per pitch: the tick its latest note ends
};

}  // namespace

std::unique_ptr<Grammar> RemiTokenizer::grammar() const { return std::make_unique<RemiGrammar>(*layout_); }

}  // namespace spe::tokens
