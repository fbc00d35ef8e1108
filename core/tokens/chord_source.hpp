#pragma once
// Where a score's chord labels (REMI Chord tokens) come from. Pop1K7 files carry chord markers, which
// the MIDI reader already puts in Score::chords; POP909 songs have a chord_midi.txt beside the MIDI
// file; any other prompt gets chords from the rule-based recogniser (music/chords.hpp).

#include <filesystem>
#include <string>

#include "music/score.hpp"

namespace spe::tokens {

enum class ChordSource {
  Auto,       // markers if present, else chord_midi.txt beside the file, else the recogniser
  Markers,    // keep Score::chords as read (possibly none)
  Pop909,     // chord_midi.txt beside the file (error if absent)
  Recognise,  // the recogniser, replacing any markers
  None,       // no chords at all
};

ChordSource parse_chord_source(const std::string& name);  // "auto", "markers", "pop909", "recognise", "none"

// Fills score.chords from `source` for the score read from `midi_path`; returns a short description of
// what was used ("markers", "POP909 chord_midi.txt", "recogniser", "none"). Errors name the file.
std::string prepare_chords(music::Score& score, const std::filesystem::path& midi_path, ChordSource source);

}  // namespace spe::tokens
