#pragma once
// REMI vocabularies (SPE.md §3.1). "paper" is the exact 333-token vocabulary of the SPE paper's
// pop-piano models (lexicographic order of the names, PAD appended at 332). "full" is our own clean
// variant in natural order: all 65 tempo bins, velocities 2..126 without a floor, pitches 21..108.

#include <array>
#include <string>
#include <vector>

#include "tokens/vocabulary.hpp"

namespace spe::tokens {

enum class RemiVocabKind { Paper, Full };

enum class RemiKind : std::uint8_t { Bar, Beat, Chord, Tempo, Pitch, Velocity, Duration, Eos, Pad };

struct RemiTokenInfo {
  RemiKind kind = RemiKind::Pad;
  int value = 0;   // beat position, tempo BPM, pitch, velocity, duration ticks; chord: root (-1 = N)
  int quality = -1;  // chord quality index into remi_chord_qualities(), -1 for N
};

// The 11 chord qualities in the paper's (string) order: + /o7 7 M M7 m m7 o o7 sus2 sus4.
const std::array<std::string, 11>& remi_chord_qualities();
// Root names as REMI spells them, indexed by pitch class (0 = C).
const std::array<std::string, 12>& remi_root_names();

class RemiVocabulary {
 public:
  static constexpr int kTicksPerBeat = 480;
  static constexpr int kTicksPerPosition = 120;  // one 16th note
  static constexpr int kPositionsPerBar = 16;
  static constexpr int kTicksPerBar = kTicksPerPosition * kPositionsPerBar;
  static constexpr int kMaxDuration = 1920;
  static constexpr int kZeroDurationTicks = 60;  // what Note_Duration_0 (a note shorter than 60 ticks) decodes to

  explicit RemiVocabulary(RemiVocabKind kind);

  RemiVocabKind kind() const { return kind_; }
  const Vocabulary& vocab() const { return vocab_; }
  const RemiTokenInfo& info(TokenId id) const { return info_.at(static_cast<std::size_t>(id)); }

  TokenId bar() const { return bar_; }
  TokenId eos() const { return eos_; }
  TokenId pad() const { return pad_; }
  TokenId beat(int position) const { return beat_[static_cast<std::size_t>(position)]; }
  TokenId chord(int root, int quality) const;  // root -1 → Chord_N_N
  TokenId tempo(int bpm) const;                // bpm must be one of tempo_bins()
  TokenId pitch(int p) const { return pitch_.at(static_cast<std::size_t>(p - min_pitch_)); }
  TokenId velocity(int v) const;
  TokenId duration(int ticks) const;  // multiple of 120 in 0..1920

  const std::vector<int>& tempo_bins() const { return tempo_bins_; }        // ascending BPM
  const std::vector<int>& velocity_bins() const { return velocity_bins_; }  // ascending
  int min_pitch() const { return min_pitch_; }
  int max_pitch() const { return max_pitch_; }
  int velocity_floor() const { return velocity_floor_; }  // 40 (paper) or 0 (full)

 private:
  RemiVocabKind kind_;
  Vocabulary vocab_;
  std::vector<RemiTokenInfo> info_;
  TokenId bar_ = -1, eos_ = -1, pad_ = -1;
  std::array<TokenId, 16> beat_{};
  std::array<TokenId, 12 * 11> chord_{};
  TokenId chord_none_ = -1;
  std::vector<int> tempo_bins_, velocity_bins_;
  std::vector<TokenId> tempo_, velocity_, pitch_, duration_;
  int min_pitch_ = 0, max_pitch_ = 0, velocity_floor_ = 0;
};

// The two layouts, built once and shared (tokenizers and grammars point at them).
const RemiVocabulary& remi_layout(RemiVocabKind kind);

}  // namespace spe::tokens
