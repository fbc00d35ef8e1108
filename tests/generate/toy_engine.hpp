#pragma once
// A tiny recurrent "model" and a toy token scheme with a real grammar, to test the generation engine
// exactly and fast. The model's state is a 64-bit hash of (seed, tokens so far): logits are a pure function
// of the state, so any divergence between two runs shows up as different tokens.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "generate/incremental_model.hpp"
#include "generate/seed.hpp"
#include "generate/token_scheme.hpp"

namespace spe::test {

// Toy vocabulary: 0 Bar, 1 EOS, 2 PAD, 3..6 Beat_0..3, 7..10 Note_a..d.
enum ToyToken { kBar = 0, kEos = 1, kPad = 2, kBeat0 = 3, kNote0 = 7, kToyVocab = 11 };

class ToyState final : public generate::ModelState {
 public:
  std::vector<std::uint64_t> rows;
  std::int64_t pos = 0;
  std::unique_ptr<generate::ModelState> clone() const override { return std::make_unique<ToyState>(*this); }
  int batch() const override { return static_cast<int>(rows.size()); }
  std::int64_t position() const override { return pos; }
};

class ToyModel final : public generate::IncrementalModel {
 public:
  mutable int steps_at_batch1 = 0, steps_batched = 0;
  int vocab_size() const override { return kToyVocab; }
  std::unique_ptr<generate::ModelState> begin_sequence(int batch, std::uint64_t seed) const override {
    auto s = std::make_unique<ToyState>();
    s->rows.assign(static_cast<std::size_t>(batch), generate::splitmix64(seed));
    return s;
  }
  std::unique_ptr<generate::ModelState> expand(const generate::ModelState& state, int copies) const override {
    auto s = std::make_unique<ToyState>(dynamic_cast<const ToyState&>(state));
    s->rows.assign(static_cast<std::size_t>(copies), s->rows.at(0));
    return s;
  }
  std::unique_ptr<generate::ModelState> select_row(const generate::ModelState& state, int row) const override {
    auto s = std::make_unique<ToyState>(dynamic_cast<const ToyState&>(state));
    s->rows = {s->rows.at(static_cast<std::size_t>(row))};
    return s;
  }
  void step(generate::ModelState& state, std::span<const int> tokens, std::span<float> logits) const override {
    auto& s = dynamic_cast<ToyState&>(state);
    (s.rows.size() == 1 ? steps_at_batch1 : steps_batched)++;
    for (std::size_t b = 0; b < s.rows.size(); ++b) {
      s.rows[b] = generate::splitmix64(s.rows[b] ^ (0x100000001B3ull * static_cast<std::uint64_t>(tokens[b] + 1)));
      std::uint64_t h = s.rows[b];
      for (int t = 0; t < kToyVocab; ++t) {
        h = generate::splitmix64(h);
        logits[b * kToyVocab + t] = static_cast<float>(double(h >> 11) * 0x1.0p-53 * 4.0 - 2.0);
      }
    }
    ++s.pos;
  }
};

// Grammar: Bar opens a bar; beats must increase within a bar; notes need a beat; EOS only after 2 bars;
// PAD never. One bar lasts 2 s, a beat 0.5 s.
class ToyCursor final : public generate::SequenceCursor {
 public:
  int bars = 0, beat = -1;
  bool eos = false;
  std::unique_ptr<generate::SequenceCursor> clone() const override { return std::make_unique<ToyCursor>(*this); }
  bool legal(int t) const {
    if (eos) return false;
    if (t == kBar) return true;
    if (t == kEos) return bars >= 2;
    if (t >= kBeat0 && t < kNote0) return bars > 0 && t - kBeat0 > beat;
    if (t >= kNote0 && t < kToyVocab) return beat >= 0;
    return false;
  }
  void allowed(std::vector<std::uint8_t>& mask) const override {
    mask.assign(kToyVocab, 0);
    for (int t = 0; t < kToyVocab; ++t) mask[t] = legal(t) ? 1 : 0;
  }
  bool advance(int t) override {
    if (!legal(t)) return false;
    if (t == kBar) { ++bars; beat = -1; }
    else if (t == kEos) eos = true;
    else if (t < kNote0) beat = t - kBeat0;
    return true;
  }
  int bar_index() const override { return bars - 1; }
  bool at_bar_start() const override { return bars > 0 && beat < 0; }
  double seconds() const override { return bars == 0 ? 0.0 : (bars - 1) * 2.0 + std::max(beat, 0) * 0.5; }
  bool ended() const override { return eos; }
  void restrict_to_ending(std::vector<std::uint8_t>& mask) const override {
    for (int t = 0; t < kToyVocab; ++t)
      if (t != (bars >= 2 ? kEos : kBar)) mask[t] = 0;
  }
};

class ToyScheme final : public generate::TokenScheme {
 public:
  std::string name() const override { return "toy"; }
  int vocab_size() const override { return kToyVocab; }
  std::vector<int> start_tokens() const override { return {kBar}; }
  std::unique_ptr<generate::SequenceCursor> make_cursor() const override { return std::make_unique<ToyCursor>(); }
  int filler_token() const override { return kPad; }
  int end_token() const override { return kEos; }
  std::string token_name(int t) const override { return "toy_" + std::to_string(t); }
};

}  // namespace spe::test
