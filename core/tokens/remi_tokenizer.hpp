#pragma once
// REMI tokens for pop piano (SPE.md §3.1). Conventions decided here (the paper's sources leave them open):
// - All pitched tracks are merged into one piano part; drum tracks are dropped (counted in the report).
// - Bars are always 16 positions of 120 ticks at 480 ticks per beat (a 4/4 bar), whatever the time
//   signature; a non-4/4 signature is noted in the report and the decoded score is 4/4.
// - Note_Duration_0 stands for a note shorter than 60 ticks and decodes to 60 ticks (a 32nd note), so
//   no zero-length note is ever produced.
// - Same-pitch notes never overlap after quantisation (tokens/note_overlaps.hpp), so a decoded score
//   survives a trip through a MIDI file unchanged.
// - Rounding ties go to the lower bin (like argmin over the bins); onsets round half up to the grid.
// - A tempo change (chord) is emitted only where the quantised tempo (the chord) differs from the one in
//   force; of several tempo changes or chords at one position the last one is kept (counted). A chord's
//   bass is not encoded (REMI has root and quality only).
// - Chords come from Score::chords (filled by the MIDI reader from Pop1K7 markers); the decoded score
//   carries them in Score::chords, which music::write_score writes as Pop1K7 chord markers.
// - Only notes, tempi and chords are encoded; markers, key signatures and track names are not.

#include <memory>
#include <nlohmann/json_fwd.hpp>

#include "tokens/remi_vocabulary.hpp"
#include "tokens/tokenizer.hpp"

namespace spe::tokens {

struct RemiOptions {
  RemiVocabKind vocab = RemiVocabKind::Paper;

  nlohmann::json to_json() const;                        // {"scheme": "remi", "vocab": "paper"|"full"}
  static RemiOptions from_json(const nlohmann::json& j);  // throws std::invalid_argument
};

// What decode(encode(score)) returns: the score on the REMI grid (480 TPQ, one piano track, notes sorted
// by (start, pitch, end, velocity), velocities / tempi / durations in vocabulary bins, pitches in range).
// Every change beyond the grid rounding itself is counted in `report`.
music::Score quantize_for_remi(const music::Score& score, const RemiOptions& options = {},
                               EncodeReport* report = nullptr);

class RemiTokenizer final : public Tokenizer {
 public:
  explicit RemiTokenizer(RemiOptions options = {});

  std::string scheme() const override { return "remi"; }
  const Vocabulary& vocab() const override { return layout_->vocab(); }
  const RemiVocabulary& layout() const { return *layout_; }
  const RemiOptions& options() const { return options_; }
  nlohmann::json config() const override;

  std::vector<TokenId> encode(const music::Score& score, EncodeReport* report = nullptr) const override;
  music::Score decode(std::span<const TokenId> tokens, DecodeReport* report = nullptr) const override;

  music::Score quantize(const music::Score& score, EncodeReport* report = nullptr) const override {
    return quantize_for_remi(score, options_, report);
  }
  int ticks_per_beat() const override { return RemiVocabulary::kTicksPerBeat; }
  TokenId bos() const override { return -1; }
  TokenId eos() const override { return layout_->eos(); }
  TokenId pad() const override { return layout_->pad(); }
  std::vector<int> bar_of_each_token(std::span<const TokenId> tokens) const override;
  std::vector<music::Tick> tick_of_each_token(std::span<const TokenId> tokens) const override;
  std::optional<std::pair<int, int>> note_started_by(TokenId token) const override;
  std::unique_ptr<Grammar> grammar() const override;

 private:
  RemiOptions options_;
  const RemiVocabulary* layout_;
};

}  // namespace spe::tokens
