#include "playback/fluidsynth_output.hpp"

#include <fluidsynth.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "playback/fluid_log.hpp"

namespace spe::playback {
namespace {

void add_option(void* data, const char* /*name*/, const char* option) {
  static_cast<std::vector<std::string>*>(data)->push_back(option);
}

std::vector<std::string> available_drivers(fluid_settings_t* settings) {
  std::vector<std::string> drivers;
  fluid_settings_foreach_option(settings, "audio.driver", &drivers, add_option);
  return drivers;
}

}  // namespace

void send_to_synth(fluid_synth_t* synth, const MidiEvent& e) {
  const int ch = e.channel();
  switch (e.kind()) {
    case 0x80: fluid_synth_noteoff(synth, ch, e.data1); break;
    case 0x90:
      if (e.data2 == 0)
        fluid_synth_noteoff(synth, ch, e.data1);
      else
        fluid_synth_noteon(synth, ch, e.data1, e.data2);
      break;
    case 0xA0: fluid_synth_key_pressure(synth, ch, e.data1, e.data2); break;
    case 0xB0: fluid_synth_cc(synth, ch, e.data1, e.data2); break;
    case 0xC0: fluid_synth_program_change(synth, ch, e.data1); break;
    case 0xD0: fluid_synth_channel_pressure(synth, ch, e.data1); break;
    case 0xE0: fluid_synth_pitch_bend(synth, ch, (e.data2 << 7) | e.data1); break;
    default: break;
  }
}

std::unique_ptr<FluidSynthOutput> FluidSynthOutput::create(const std::string& soundfont, std::string* error,
                                                           const std::string& audio_driver) {
  auto fail = [&](const std::string& why) -> std::unique_ptr<FluidSynthOutput> {
    if (error) *error = why;
    return nullptr;
  };
  detail::install_fluid_log();
  detail::clear_fluid_error();
  std::unique_ptr<FluidSynthOutput> out(new FluidSynthOutput());
  out->soundfont_ = soundfont;
  out->settings_ = new_fluid_settings();
  if (!out->settings_) return fail("FluidSynth: cannot create settings");
  fluid_settings_setnum(out->settings_, "synth.gain", kDefaultGain);
  fluid_settings_setint(out->settings_, "audio.jack.autoconnect", 1);  // else JACK plays into nothing
  out->synth_ = new_fluid_synth(out->settings_);
  if (!out->synth_) return fail("FluidSynth: cannot create a synthesizer: " + detail::last_fluid_error());
  if (fluid_synth_sfload(out->synth_, soundfont.c_str(), 1) == FLUID_FAILED)
    return fail("FluidSynth cannot load soundfont " + soundfont);

  const std::vector<std::string> available = available_drivers(out->settings_);
  std::vector<std::string> tries;
  if (!audio_driver.empty()) {
    if (std::find(available.begin(), available.end(), audio_driver) == available.end()) {
      std::string list;
      for (const auto& d : available) list += (list.empty() ? "" : ", ") + d;
      return fail("FluidSynth has no audio driver '" + audio_driver + "' (this build has: " + list + ")");
    }
    tries.push_back(audio_driver);
  } else {
    for (const char* d : {"pipewire", "pulseaudio", "alsa", "jack"})
      if (std::find(available.begin(), available.end(), d) != available.end()) tries.push_back(d);
  }
  // libjack would otherwise try to start a JACK server (on the ALSA card) when none runs.
  ::setenv("JACK_NO_START_SERVER", "1", 0);
  std::string last;
  for (const auto& d : tries) {
    detail::clear_fluid_error();
    fluid_settings_setstr(out->settings_, "audio.driver", d.c_str());
    out->driver_ = new_fluid_audio_driver(out->settings_, out->synth_);
    if (out->driver_) {
      out->driver_name_ = d;
      return out;
    }
    last = detail::last_fluid_error();
  }
  std::string tried;
  for (const auto& d : tries) tried += (tried.empty() ? "" : ", ") + d;
  return fail("FluidSynth found no working audio device (tried " + tried + ")" + (last.empty() ? "" : ": " + last));
}

FluidSynthOutput::~FluidSynthOutput() {
  if (driver_) delete_fluid_audio_driver(driver_);
  if (synth_) delete_fluid_synth(synth_);
  if (settings_) delete_fluid_settings(settings_);
}

void FluidSynthOutput::send(const MidiEvent& event) { send_to_synth(synth_, event); }

void FluidSynthOutput::all_notes_off() {
  for (const auto& e : all_notes_off_events()) send_to_synth(synth_, e);
}

std::string FluidSynthOutput::name() const {
  return "FluidSynth (" + driver_name_ + "): " + std::filesystem::path(soundfont_).filename().string();
}

void FluidSynthOutput::set_gain(double gain) {
  fluid_synth_set_gain(synth_, static_cast<float>(std::clamp(gain, 0.0, 10.0)));
}

}  // namespace spe::playback
