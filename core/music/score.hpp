#pragma once
// The score model shared by every part of the engine: MIDI files are read into it, tokenizers encode
// and decode it, the piano roll draws it, playback schedules it. Times are in ticks at
// `ticks_per_beat` (a beat = a quarter note, as in Standard MIDI Files).

#include <cstdint>
#include <string>
#include <vector>

namespace spe::music {

using Tick = std::int64_t;

struct Note {
  Tick start = 0;
  Tick end = 0;  // exclusive; end > start for every note in a valid score
  int pitch = 60;      // 0..127
  int velocity = 64;   // 1..127
  bool from_prompt = false;  // set on notes a generation took from its prompt
};

struct Track {
  std::string name;
  int program = 0;      // General MIDI program 0..127
  int channel = 0;      // 0..15; 9 = GM drums
  bool is_drum = false;
  std::vector<Note> notes;  // sorted by (start, pitch)
};

struct TempoChange {
  Tick tick = 0;
  double bpm = 120.0;  // quarter notes per minute
};

struct TimeSignature {
  Tick tick = 0;
  int numerator = 4;
  int denominator = 4;
};

struct KeySignature {
  Tick tick = 0;
  int sharps = 0;  // -7..7
  bool minor = false;
};

struct Marker {
  Tick tick = 0;
  std::string text;
};

// A chord symbol in force from `tick` on. root: 0 = C … 11 = B, or -1 for "no chord" (N).
// quality uses the REMI names: "M", "m", "o", "+", "7", "M7", "m7", "o7", "/o7", "sus2", "sus4".
struct Chord {
  Tick tick = 0;
  int root = -1;
  std::string quality = "N";
  int bass = -1;  // -1 when the bass is the root or unknown
};

struct Score {
  int ticks_per_beat = 480;
  std::vector<Track> tracks;
  std::vector<TempoChange> tempos;            // sorted by tick; empty means 120 BPM
  std::vector<TimeSignature> time_signatures; // sorted by tick; empty means 4/4
  std::vector<KeySignature> key_signatures;
  std::vector<Marker> markers;
  std::vector<Chord> chords;                  // sorted by tick

  // Last note end (or last timed event), in ticks.
  Tick end_tick() const;
  std::size_t note_count() const;
};

}  // namespace spe::music
