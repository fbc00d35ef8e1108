#pragma once
// Score <-> Standard MIDI File.
//
// Reading policy (score_from_midi):
// * Notes are split per (MIDI track, channel, program in force at the note-on); channel 10 (index 9)
//   is drums, one Track per (MIDI track, channel 9) whatever its programs. A type-0 file thus becomes one
//   Track per channel. Tracks without notes are dropped; a track's name is the MIDI track name (meta 0x03), else
//   the instrument name (0x04) or text (0x01) that precedes the first note.
// * Note-on with velocity 0 is a note-off. Overlapping notes of the same pitch on one channel are paired
//   first-in first-out: a note-off ends the oldest sounding note of that pitch.
// * Notes never switched off end at the track's end-of-track; zero-length notes last one tick.
// * Tempo, time/key signatures and markers are collected from all tracks (last one wins on equal ticks);
//   type-2 files (independent patterns) are read like type 1, on one shared timeline.
// * Texts (track names, markers) are UTF-8: bytes that are not valid UTF-8 are read as Latin-1.
// * Markers that are Pop1K7 chord symbols ("G#_M7_G#", "N_N_N") become `chords`, not `markers`.
// Writing (score_to_midi): type 1, track 0 = conductor (tempo map, time/key signatures, markers,
// chords as Pop1K7 chord markers), then one MIDI track per Score track with its name, a program change
// and its notes; drums go to channel 10, other tracks keep their channel (moved off channel 10 when
// they are not drums). Note-offs sort before note-ons on equal ticks.

#include <filesystem>

#include "midi/smf.hpp"
#include "music/score.hpp"

namespace spe::music {

struct ReadOptions {
  // Extend note ends to the release of the sustain pedal (CC64 >= 64 = down). A note re-struck while
  // held by the pedal ends the held one at the new onset.
  bool apply_sustain = false;
  bool chords_from_markers = true;  // Pop1K7 chord markers → Score::chords
};

Score score_from_midi(const midi::File& file, const ReadOptions& options = {});
midi::File score_to_midi(const Score& score);

// read_score throws midi::MidiError whose message names the file; write_score is atomic.
Score read_score(const std::filesystem::path& path, const ReadOptions& options = {});
void write_score(const Score& score, const std::filesystem::path& path);

// The canonical note order of a Track: (start, pitch, end, velocity).
void sort_notes(std::vector<Note>& notes);

}  // namespace spe::music
