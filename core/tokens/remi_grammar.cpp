// The REMI grammar: per bar `Bar (Beat_p [Chord] [Tempo] (Pitch Velocity Duration)*)*` with strictly
// increasing positions p inside a bar, the sequence ending `Bar EOS`; PAD never. Any sequence it
// accepts decodes without a single report entry.
#include <memory>

#include "tokens/remi_tokenizer.hpp"

namespace spe::tokens {
namespace {

enum class State : std::uint8_t { Start, AfterBar, AfterBeat, AfterChord, AfterTempo, AfterPitch, AfterVelocity, AfterNote, Done };

class RemiGrammar final : public Grammar {
 public:
  explicit RemiGrammar(const RemiVocabulary& layout) : layout_(layout) {}

  void reset() override {
    state_ = State::Start;
    pos_ = -1;
  }

  bool advance(TokenId token, std::string* why) override {
    if (!layout_.vocab().contains(token)) {
      if (why) *why = "token id " + std::to_string(token) + " is outside the vocabulary";
      return false;
    }
    if (!is_allowed(token)) {
      if (why) *why = "'" + layout_.vocab().name(token) + "' is not allowed " + where();
      return false;
    }
    const auto& info = layout_.info(token);
    switch (info.kind) {
      case RemiKind::Bar: state_ = State::AfterBar; pos_ = -1; break;
      case RemiKind::Beat: state_ = State::AfterBeat; pos_ = info.value; break;
      case RemiKind::Chord: state_ = State::AfterChord; break;
      case RemiKind::Tempo: state_ = State::AfterTempo; break;
      case RemiKind::Pitch: state_ = State::AfterPitch; break;
      case RemiKind::Velocity: state_ = State::AfterVelocity; break;
      case RemiKind::Duration: state_ = State::AfterNote; break;
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
      case RemiKind::Pitch: return bar_body;
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

  const RemiVocabulary& layout_;
  State state_ = State::Start;
  int pos_ = -1;
};

}  // namespace

std::unique_ptr<Grammar> RemiTokenizer::grammar() const { return std::make_unique<RemiGrammar>(*layout_); }

}  // namespace spe::tokens
