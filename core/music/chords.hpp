#pragma once
// Chord labels for scores: Pop1K7 chord markers (see chord_symbols.hpp, applied when reading MIDI),
// POP909's chord_midi.txt annotations, and a rule-based recogniser for scores without labels.

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "music/chord_symbols.hpp"
#include "music/score.hpp"
#include "music/tempo_map.hpp"

namespace spe::music {

// POP909 / Harte-style label ("B:maj", "C#:min7/b7", "A:sus4(b7)", "N") → REMI chord (tick 0).
// Qualities map to the 11 REMI ones: maj→M, min→m, dim→o, aug→+, 7→7, maj7→M7, min7→m7, dim7→o7,
// hdim7→/o7, sus2, sus4, sus4(b7)→sus4, maj6→M, min6→m, minmaj7→m (the nearest REMI triad/tetrad);
// the inversion after '/' (scale degree 3, b3, 5, b7, 7, ...) gives the bass. Throws
// std::invalid_argument for labels it cannot read.
Chord parse_harte_chord(std::string_view label);

// POP909 chord_midi.txt: lines "start_seconds end_seconds label" → chords at ticks of `map`
// (rounded to the nearest tick). A gap between one chord's end and the next start, and the end of the
// last chord, become "no chord" (N). Throws std::runtime_error naming the file and line on bad input.
std::vector<Chord> read_pop909_chords(const std::filesystem::path& path, const TempoMap& map);
std::vector<Chord> parse_pop909_chords(std::string_view text, const std::string& name, const TempoMap& map);

// The chord in force at `tick` (N when none yet).
Chord chord_at(const std::vector<Chord>& chords, Tick tick);

struct RecogniseOptions {
  enum class Span { Beat, HalfBar, Bar };
  Span span = Span::Beat;
  int min_pitch_classes = 2;   // fewer distinct pitch classes sounding → N
  bool merge_repeats = true;   // list only chord changes
};

// Template matching: for each span, a duration-weighted pitch-class histogram of the pitched tracks
// (drums ignored) is scored against the 11 qualities × 12 roots: score = share of weight on chord
// tones − share on other tones − 0.2 per missing chord tone + 0.3 when the bass is the root − 0.3 for
// tetrads − 0.15 for sus chords (see chords.cpp for why); ties go to simpler chords. The bass is the
// span's lowest pitch sounding for at least a quarter of the span, kept as `bass` when it is a chord
// tone other than the root. Throws std::length_error for scores longer than 4 million beats or bars.
std::vector<Chord> recognise_chords(const Score& score, const RecogniseOptions& options = {});

// The best chord for a 12-bin pitch-class histogram (N when fewer than `min_pitch_classes` bins are
// non-zero). `bass_pc` may be -1.
Chord best_chord(const std::array<double, 12>& histogram, int bass_pc, int min_pitch_classes = 2);

}  // namespace spe::music
