#pragma once
// Playback to a MIDI output port (a hardware interface, a software synth) or to a virtual port that other
// programs connect to, through RtMidi. Every failure is a one-line error, never an exception or a crash:
// without /dev/snd ALSA cannot open, and RtMidi's JACK backend crashes when it opens a port with no JACK
// server running, so a backend is used only after it answered a port query without error.
//
// Backends (`api`): "alsa", "jack", or "" = $SPE_MIDI_API when set, else ALSA, then JACK, whichever works.

#include <memory>
#include <string>
#include <vector>

#include "playback/output.hpp"

class RtMidiOut;

namespace spe::playback {

class MidiPortOutput final : public Output {
 public:
  // Names of the output ports (other programs' inputs) the backend sees; empty + `error` when none works.
  static std::vector<std::string> list_ports(std::string* error, const std::string& api = "");
  // The port whose name is `name` (else the only one that starts with it); nullptr + `error` otherwise.
  static std::unique_ptr<MidiPortOutput> open_port(const std::string& name, std::string* error,
                                                   const std::string& api = "");
  // A port named `name` (e.g. "SPE Studio") that other programs connect to (ALSA, JACK).
  static std::unique_ptr<MidiPortOutput> open_virtual(const std::string& name, std::string* error,
                                                      const std::string& api = "");

  ~MidiPortOutput() override;
  MidiPortOutput(const MidiPortOutput&) = delete;
  MidiPortOutput& operator=(const MidiPortOutput&) = delete;

  void send(const MidiEvent& event) override;
  void all_notes_off() override;
  std::string name() const override;  // "MIDI port <name> (ALSA)" / "virtual MIDI port <name> (JACK)"
  // True after the backend reported an error, or (for a named port) when the port is no longer listed
  // (checked at most every 0.5 s).
  bool failed(std::string* why) const override;
  std::string api_name() const;  // "ALSA" or "JACK"

  struct State;  // RtMidi client + error sink (midi_port_output.cpp)

 private:
  explicit MidiPortOutput(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace spe::playback
