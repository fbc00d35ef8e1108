#pragma once
// ui::PlaybackEngine over core/playback: one Player, its output (FluidSynth, the virtual port "SPE Studio"
// or a MIDI port) and the FluidSynth WAV renderer. No Qt. Outputs open when chosen, so the app starts
// without loading a soundfont.

#include <memory>
#include <mutex>
#include <string>

#include "playback_engine.hpp"

namespace spe::playback {
class Player;
class Output;
}  // namespace spe::playback

namespace spe::studio {

class StudioPlayback final : public ui::PlaybackEngine {
 public:
  // `audio_driver`: FluidSynth's driver ("" = the first of PipeWire, PulseAudio, ALSA, JACK that opens);
  // `midi_api`: RtMidi backend ("" = ALSA, then JACK). Both default to $SPE_AUDIO_DRIVER / $SPE_MIDI_API.
  explicit StudioPlayback(std::string audio_driver = {}, std::string midi_api = {});
  ~StudioPlayback() override;

  void setEvents(Events events) override;
  std::vector<ui::PlaybackOutputChoice> outputs() override;
  bool selectOutput(const std::string& id, const std::string& soundfont, std::string* error) override;
  bool hasOutput() const override;
  std::string outputId() const override;
  std::string outputName() const override;

  void setScore(const music::Score& score, bool complete) override;
  void play() override;
  void pause() override;
  void stop() override;
  void seek(double seconds) override;
  void setLoop(double begin_seconds, double end_seconds) override;
  void clearLoop() override;
  double position() const override;
  double duration() const override;
  State state() const override;
  bool waitingForMore() const override;

  bool renderWav(const music::Score& score, const std::string& path, const std::string& soundfont,
                 const std::function<bool(double fraction)>& progress) override;
  std::string resolveSoundfont(const std::string& choice) const override;
  std::string missingSoundfontMessage() const override;

  static constexpr const char* kVirtualPortName = "SPE Studio";

 private:
  std::string audio_driver_, midi_api_;
  std::unique_ptr<playback::Player> player_;
  mutable std::mutex mutex_;  // guards output_id_ (the Player has its own lock)
  std::string output_id_;
};

}  // namespace spe::studio
