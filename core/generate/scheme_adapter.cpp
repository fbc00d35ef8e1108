#include "generate/scheme_adapter.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "tokens/event_tokenizer.hpp"
#include "tokens/remi_tokenizer.hpp"

namespace spe::generate {
namespace {

// Seconds elapsed at a tick, for a tempo that changes only at ticks we pass (tokens come in time order).
class TempoClock {
 public:
  explicit TempoClock(int ticks_per_beat) : tpb_(ticks_per_beat) {}
  void set_tempo(std::int64_t tick, double bpm) {
    base_seconds_ = seconds_at(tick);
    base_tick_ = tick;
    bpm_ = bpm;
  }
  double seconds_at(std::int64_t tick) const {
    return base_seconds_ + double(tick - base_tick_) / tpb_ * 60.0 / bpm_;
  }

 private:
  int tpb_;
  std::int64_t base_tick_ = 0;
  double base_seconds_ = 0.0;
  double bpm_ = 120.0;  // MIDI's default until a tempo token says otherwise
};

class RemiCursor final : public SequenceCursor {
 public:
  RemiCursor(const tokens::RemiVocabulary& layout, std::unique_ptr<tokens::Grammar> grammar)
      : layout_(&layout), grammar_(std::move(grammar)), clock_(tokens::RemiVocabulary::kTicksPerBeat) {}
  RemiCursor(const RemiCursor& o)
      : layout_(o.layout_), grammar_(o.grammar_->clone()), clock_(o.clock_), bar_(o.bar_), pos_(o.pos_) {}

  std::unique_ptr<SequenceCursor> clone() const override { return std::make_unique<RemiCursor>(*this); }
  void allowed(std::vector<std::uint8_t>& mask) const override { grammar_->allowed(mask); }
  bool advance(int token) override {
    if (!grammar_->advance(token)) return false;
    const auto& info = layout_->info(token);
    if (info.kind == tokens::RemiKind::Bar) {
      ++bar_;
      pos_ = -1;
    } else if (info.kind == tokens::RemiKind::Beat) {
      pos_ = info.value;
    } else if (info.kind == tokens::RemiKind::Tempo) {
      clock_.set_tempo(tick(), info.value);
    }
    return true;
  }
  int bar_index() const override { return bar_; }
  bool at_bar_start() const override { return bar_ >= 0 && pos_ < 0; }
  double seconds() const override { return clock_.seconds_at(tick()); }
  bool ended() const override { return grammar_->finished(); }
  void restrict_to_ending(std::vector<std::uint8_t>& mask) const override {
    // Finish the note being written, close the bar with Bar, then EOS (the grammar ends on `Bar EOS`).
    for (std::size_t t = 0; t < mask.size(); ++t) {
      const auto kind = layout_->info(static_cast<tokens::TokenId>(t)).kind;
      const bool keep = at_bar_start() ? kind == tokens::RemiKind::Eos
                                       : kind == tokens::RemiKind::Velocity ||
                                             kind == tokens::RemiKind::Duration || kind == tokens::RemiKind::Bar;
      if (!keep) mask[t] = 0;
    }
  }

 private:
  std::int64_t tick() const {
    return std::int64_t(std::max(bar_, 0)) * tokens::RemiVocabulary::kTicksPerBar +
           std::max(pos_, 0) * tokens::RemiVocabulary::kTicksPerPosition;
  }
  const tokens::RemiVocabulary* layout_;
  std::unique_ptr<tokens::Grammar> grammar_;
  TempoClock clock_;
  int bar_ = -1, pos_ = -1;
};

class EventCursor final : public SequenceCursor {
 public:
  explicit EventCursor(std::unique_ptr<tokens::Grammar> grammar) : grammar_(std::move(grammar)) {}
  EventCursor(const EventCursor& o)
      : grammar_(o.grammar_->clone()), time_(o.time_), event_at_time_(o.event_at_time_), sounding_(o.sounding_) {}

  std::unique_ptr<SequenceCursor> clone() const override { return std::make_unique<EventCursor>(*this); }
  void allowed(std::vector<std::uint8_t>& mask) const override { grammar_->allowed(mask); }
  bool advance(int token) override {
    using namespace tokens::event_ids;
    if (!grammar_->advance(token)) return false;
    if (token >= kShift0 && token < kEos) {
      const std::int64_t beat_start = time_ - time_ % kTicksPerBeat;
      const std::int64_t shift = token < kShift1 ? token - kShift0 + 1
                                 : token < kShift2 ? kTicksPerBeat + (token - kShift1)
                                                   : 2 * kTicksPerBeat;
      time_ = beat_start + shift;
      event_at_time_ = false;
    } else if (token < kNoteOff) {
      ++sounding_;
      event_at_time_ = true;
    } else if (token < kShift0) {
      --sounding_;
      event_at_time_ = true;
    }
    return true;
  }
  int bar_index() const override { return static_cast<int>(time_ / kTicksPerBar); }
  bool at_bar_start() const override { return time_ % kTicksPerBar == 0 && !event_at_time_; }
  double seconds() const override { return double(time_) / tokens::event_ids::kTicksPerBeat * 0.5; }  // 120 BPM
  bool ended() const override { return grammar_->finished(); }
  void restrict_to_ending(std::vector<std::uint8_t>& mask) const override {
    using namespace tokens::event_ids;
    // No new notes; let the sounding ones end (note_off / time_shift), then EOS once all are silent.
    for (std::size_t t = 0; t < mask.size(); ++t) {
      const auto id = static_cast<tokens::TokenId>(t);
      const bool keep = sounding_ == 0 ? id == kEos : (id >= kNoteOff && id < kEos);
      if (!keep) mask[t] = 0;
    }
  }

 private:
  static constexpr std::int64_t kTicksPerBar =
      std::int64_t(tokens::event_ids::kTicksPerBeat) * tokens::event_ids::kBeatsPerBar;
  std::unique_ptr<tokens::Grammar> grammar_;
  std::int64_t time_ = 0;
  bool event_at_time_ = false;
  int sounding_ = 0;
};

class TokenizerScheme final : public TokenScheme {
 public:
  explicit TokenizerScheme(const tokens::Tokenizer& tokenizer) : tok_(tokenizer) {
    remi_ = dynamic_cast<const tokens::RemiTokenizer*>(&tokenizer);
    if (!remi_ && !dynamic_cast<const tokens::EventTokenizer*>(&tokenizer))
      throw std::invalid_argument("unsupported token scheme '" + tokenizer.scheme() + "'");
  }
  std::string name() const override { return tok_.scheme(); }
  int vocab_size() const override { return static_cast<int>(tok_.vocab().size()); }
  std::vector<int> start_tokens() const override {
    if (remi_) return {remi_->layout().bar()};
    return {tok_.bos()};
  }
  std::unique_ptr<SequenceCursor> make_cursor() const override {
    if (remi_) return std::make_unique<RemiCursor>(remi_->layout(), tok_.grammar());
    return std::make_unique<EventCursor>(tok_.grammar());
  }
  int filler_token() const override { return tok_.pad(); }
  int end_token() const override { return tok_.eos(); }
  std::string token_name(int token) const override {
    if (tok_.vocab().contains(token)) return tok_.vocab().name(token);
    // Built piecewise: `"<" + std::to_string(...)` trips a GCC 12 -Wrestrict false positive.
    std::string unknown = "<unknown ";
    unknown += std::to_string(token);
    unknown += '>';
    return unknown;
  }

 private:
  const tokens::Tokenizer& tok_;
  const tokens::RemiTokenizer* remi_ = nullptr;
};

}  // namespace

std::unique_ptr<TokenScheme> make_token_scheme(const tokens::Tokenizer& tokenizer) {
  return std::make_unique<TokenizerScheme>(tokenizer);
}

}  // namespace spe::generate
