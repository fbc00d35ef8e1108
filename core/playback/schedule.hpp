#pragma once
// A Score as a time-ordered list of channel MIDI messages in seconds: what every playback sink (the live
// Player, the WAV renderer) consumes.
//
// Rules (schedule_events):
// * Channels: a drum track plays on channel 9 (GM drums; no program change is sent for it). Any other
//   track keeps its own channel (moved off 9) unless an earlier track already uses that channel with a
//   different program: then it gets the lowest channel no track uses yet (never 9); only when all 15 are
//   taken do tracks share a channel.
// * Each non-drum channel gets one program change (the GM program of its first track) at 0 s.
// * Notes: note-on (0x9n, velocity clamped to 1..127) at the start tick, note-off (0x8n, velocity 0) at
//   the end tick, both converted through music::TempoMap. Where notes of one pitch overlap on a channel,
//   only the last note-off is sent, so a note-off never cuts a later note that is still meant to sound.
// * Order: by time; at equal times program changes, then note-offs, then note-ons (then track order,
//   then pitch).

#include <cstdint>
#include <vector>

#include "music/score.hpp"

namespace spe::playback {

struct MidiEvent {
  double seconds = 0.0;
  std::uint8_t status = 0;  // 0x80 note-off, 0x90 note-on, 0xB0 controller, 0xC0 program change | channel
  std::uint8_t data1 = 0;
  std::uint8_t data2 = 0;  // unused (0) for program changes

  std::uint8_t kind() const { return status & 0xF0; }
  int channel() const { return status & 0x0F; }
  bool operator==(const MidiEvent&) const = default;
};

std::vector<MidiEvent> schedule_events(const music::Score& score);

// Seconds from 0 to the score's end tick (music::Score::end_tick through the tempo map).
double score_duration_seconds(const music::Score& score);

// Panic: on each of the 16 channels, CC123 (all notes off), CC120 (all sound off), CC64 = 0 (sustain off).
// Outputs that speak raw MIDI send exactly these.
std::vector<MidiEvent> all_notes_off_events();

}  // namespace spe::playback
