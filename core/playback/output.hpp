#pragma once
// Where the Player sends MIDI: FluidSynth (fluidsynth_output.hpp), a MIDI port (midi_port_output.hpp), or
// a test double. Calls come from the Player's clock thread and from the thread that drives the Player, but
// never two at once (the Player serialises them).

#include <string>

#include "playback/schedule.hpp"

namespace spe::playback {

class Output {
 public:
  virtual ~Output() = default;
  virtual void send(const MidiEvent& event) = 0;  // `event.seconds` is ignored: send now
  // CC123 + CC120 + sustain off on all 16 channels (schedule.hpp: all_notes_off_events).
  virtual void all_notes_off() = 0;
  virtual std::string name() const = 0;
  // True once the device has gone (port closed, server gone); `why` gets a one-line reason.
  virtual bool failed(std::string* why) const {
    (void)why;
    return false;
  }
};

}  // namespace spe::playback
