#pragma once
// Live playback through FluidSynth's own audio driver (PipeWire / PulseAudio / ALSA / JACK, whichever
// opens first, or the one asked for).

#include <memory>
#include <string>

#include "playback/output.hpp"

struct _fluid_hashtable_t;
struct _fluid_synth_t;
struct _fluid_audio_driver_t;

namespace spe::playback {

class FluidSynthOutput final : public Output {
 public:
  static constexpr double kDefaultGain = 0.8;  // FluidSynth's 0.2 is ≈ −41 dBFS: far too quiet

  // `soundfont`: a .sf2 path (see find_soundfont). `audio_driver`: "" tries pipewire, pulseaudio, alsa,
  // jack (never starting a JACK server), in that order; otherwise exactly that FluidSynth driver.
  // nullptr and a one-line `error` when the soundfont does not load or no audio device opens.
  static std::unique_ptr<FluidSynthOutput> create(const std::string& soundfont, std::string* error,
                                                  const std::string& audio_driver = "");
  ~FluidSynthOutput() override;
  FluidSynthOutput(const FluidSynthOutput&) = delete;
  FluidSynthOutput& operator=(const FluidSynthOutput&) = delete;

  void send(const MidiEvent& event) override;
  void all_notes_off() override;
  std::string name() const override;  // "FluidSynth (<driver>): <soundfont file name>"

  void set_gain(double gain);  // synth.gain, 0..10
  const std::string& audio_driver() const { return driver_name_; }

 private:
  FluidSynthOutput() = default;
  _fluid_hashtable_t* settings_ = nullptr;
  _fluid_synth_t* synth_ = nullptr;
  _fluid_audio_driver_t* driver_ = nullptr;
  std::string driver_name_;
  std::string soundfont_;
};

// Sends one channel message to a FluidSynth synth (shared by the live output and the WAV renderer).
void send_to_synth(_fluid_synth_t* synth, const MidiEvent& event);

}  // namespace spe::playback
