#pragma once
// A readable, stable text dump of a MIDI file's events (one line per event), used by golden tests and
// by `spe info --events`. Example:
//   format 1, 480 ticks per beat, 2 tracks
//   track 0: 3 events
//     0 tempo 500000 us/beat (120 BPM)
//     0 note_on ch=1 key=60 vel=100
//     480 end_of_track

#include <string>

#include "midi/smf.hpp"

namespace spe::midi {

std::string describe_event(const Event& event);  // the text after the tick
std::string dump(const File& file);

}  // namespace spe::midi
