#pragma once
// Exact transposition augmentation at the token level. Every pitched token belongs to a *group*
// (e.g. "Note_Pitch", "note_on track 0", "note_off track 2") and has a value (MIDI pitch); a song is
// transposed by replacing each pitched token with the token of the same group at value+shift. A shift
// is valid only if that token exists for every pitched token of the sequence (pitches stay in the
// vocabulary's range). Chord roots are *cyclic* groups (value mod 12: C♯ up 11 = C). Tokens not in the
// table (drums, time, velocity, bars…) are never touched, which is what keeps drums untransposed.

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace spe::train {

class TranspositionTable {
 public:
  TranspositionTable() = default;
  explicit TranspositionTable(std::size_t vocab_size) : entries_(vocab_size) {}

  // `group` ids are arbitrary small integers; `cyclic` groups wrap their value modulo 12.
  void add_pitched(std::int32_t token, int group, int value, bool cyclic = false);

  std::size_t vocab_size() const { return entries_.size(); }
  bool is_pitched(std::int32_t token) const;
  bool empty() const { return lookup_.empty(); }

  // True when every pitched token of tokens[begin, end) has a counterpart at +shift.
  bool can_transpose(const std::int32_t* begin, const std::int32_t* end, int shift) const;
  // Transposes in place; the caller checked can_transpose.
  void transpose(std::int32_t* begin, std::int32_t* end, int shift) const;

  // Uniform shift in [-max_shift, max_shift], re-drawn until valid (up to 64 tries, then 0 — always
  // valid). Returns the shift applied.
  int random_transpose(std::int32_t* begin, std::int32_t* end, int max_shift, std::mt19937_64& rng) const;

  // Builds the table from the vocabulary's token names, recognising:
  //   REMI:  "Note_Pitch_<p>" (group 0), "Chord_<root>_<quality>" with root in C, C#, …, B (cyclic group per
  //          quality; "Chord_N_N" untouched);
  //   event: "note_on(<track>,<p>)" / "note_off(<track>,<p>)" (one group per kind and track), except tracks in
  //          `drum_tracks`.
  // Other names are not pitched.
  static TranspositionTable from_token_names(const std::vector<std::string>& names,
                                             const std::vector<int>& drum_tracks = {1});

 private:
  struct Entry {
    int group = -1;
    int value = 0;
  };
  std::int32_t target(const Entry& e, int shift) const;  // -1 if none
  std::vector<Entry> entries_;
  std::map<std::pair<int, int>, std::int32_t> lookup_;  // (group, value) -> token
  std::vector<char> cyclic_;                            // per group
};

}  // namespace spe::train
