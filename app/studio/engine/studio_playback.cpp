#include "studio_playback.hpp"

#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>

#include "playback/fluidsynth_output.hpp"
#include "playback/midi_port_output.hpp"
#include "playback/player.hpp"
#include "playback/render_wav.hpp"
#include "playback/soundfont.hpp"

namespace spe::studio {
namespace {

std::string env_or(const std::string& value, const char* name) {
  if (!value.empty()) return value;
  const char* env = std::getenv(name);
  return env ? env : "";
}

constexpr const char* kPortPrefix = "port:";

bool readable(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char byte = 0;
  return in && in.read(&byte, 1);
}

}  // namespace

StudioPlayback::StudioPlayback(std::string audio_driver, std::string midi_api)
    : audio_driver_(env_or(audio_driver, "SPE_AUDIO_DRIVER")),
      midi_api_(env_or(midi_api, "SPE_MIDI_API")),
      player_(std::make_unique<playback::Player>()) {}

StudioPlayback::~StudioPlayback() = default;

void StudioPlayback::setEvents(Events events) {
  player_->set_callbacks({std::move(events.finished), std::move(events.error)});
}

std::vector<ui::PlaybackOutputChoice> StudioPlayback::outputs() {
  std::vector<ui::PlaybackOutputChoice> list{
      {"fluidsynth", "FluidSynth (built-in synthesizer)"},
      {"virtual", std::string("Virtual MIDI port \"") + kVirtualPortName + "\" (for a DAW or synth)"}};
  std::string error;
  for (const auto& port : playback::MidiPortOutput::list_ports(&error, midi_api_))
    if (port.find(kVirtualPortName) == std::string::npos) list.push_back({kPortPrefix + port, "MIDI port " + port});
  return list;
}

std::string StudioPlayback::resolveSoundfont(const std::string& choice) const {
  return playback::find_soundfont(choice);
}

std::string StudioPlayback::missingSoundfontMessage() const { return playback::missing_soundfont_message(); }

bool StudioPlayback::selectOutput(const std::string& id, const std::string& soundfont, std::string* error) {
  std::string why;
  std::shared_ptr<playback::Output> output;
  if (id == "fluidsynth") {
    if (!soundfont.empty() && !readable(soundfont)) {
      why = "soundfont " + soundfont + ": cannot read the file (choose another in Settings)";
    } else if (const std::string sf = playback::find_soundfont(soundfont); sf.empty()) {
      why = playback::missing_soundfont_message();
    } else {
      output = playback::FluidSynthOutput::create(sf, &why, audio_driver_);
    }
  } else if (id == "virtual") {
    output = playback::MidiPortOutput::open_virtual(kVirtualPortName, &why, midi_api_);
  } else if (id.rfind(kPortPrefix, 0) == 0) {
    output = playback::MidiPortOutput::open_port(id.substr(std::char_traits<char>::length(kPortPrefix)), &why, midi_api_);
  } else {
    why = "unknown playback output '" + id + "'";
  }
  player_->set_output(output);  // the old output gets all-notes-off and goes
  std::lock_guard lock(mutex_);
  output_id_ = output ? id : "";
  if (!output && error) *error = why.empty() ? "cannot open " + id : why;
  return output != nullptr;
}

bool StudioPlayback::hasOutput() const { return player_->output() != nullptr; }

std::string StudioPlayback::outputId() const {
  std::lock_guard lock(mutex_);
  return output_id_;
}

std::string StudioPlayback::outputName() const {
  const auto output = player_->output();
  return output ? output->name() : "";
}

void StudioPlayback::setScore(const music::Score& score, bool complete) { player_->set_score(score, complete); }
void StudioPlayback::play() { player_->play(); }
void StudioPlayback::pause() { player_->pause(); }
void StudioPlayback::stop() { player_->stop(); }
void StudioPlayback::seek(double seconds) { player_->seek(seconds); }
void StudioPlayback::setLoop(double begin_seconds, double end_seconds) { player_->set_loop(begin_seconds, end_seconds); }
void StudioPlayback::clearLoop() { player_->clear_loop(); }
double StudioPlayback::position() const { return player_->position(); }
double StudioPlayback::duration() const { return player_->duration(); }
bool StudioPlayback::waitingForMore() const { return player_->waiting_for_more(); }

ui::PlaybackEngine::State StudioPlayback::state() const {
  switch (player_->state()) {
    case playback::Player::State::Playing: return State::Playing;
    case playback::Player::State::Paused: return State::Paused;
    case playback::Player::State::Stopped: break;
  }
  return State::Stopped;
}

bool StudioPlayback::renderWav(const music::Score& score, const std::string& path, const std::string& soundfont,
                               const std::function<bool(double fraction)>& progress) {
  playback::RenderOptions options;
  options.soundfont = soundfont;
  bool cancelled = false;
  playback::render_wav(score, std::filesystem::path(path), options, [&](double fraction) {
    if (progress && !progress(fraction)) cancelled = true;
    return !cancelled;
  });
  return !cancelled;
}

}  // namespace spe::studio
