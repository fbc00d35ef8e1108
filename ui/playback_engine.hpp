#pragma once
// The seam between the GUI and playback, as generation_engine.hpp is for generation: the app implements
// PlaybackEngine over core/playback (Player, FluidSynth, RtMidi, the WAV renderer) and hands it to
// MainWindow. Neither Qt nor the playback library appears here, so ui/ builds without either.

#include <functional>
#include <string>
#include <vector>

#include "music/score.hpp"

namespace spe::ui {

// One place the music can go. `id`: "fluidsynth", "virtual" (a port "SPE Studio" other programs record),
// or "port:<name>" (an existing MIDI port).
struct PlaybackOutputChoice {
  std::string id;
  std::string label;
};

class PlaybackEngine {
 public:
  enum class State { Stopped, Playing, Paused };
  // Called from the playback clock thread (never with a lock held): the receiver must hop to its own
  // thread. `finished`: a complete score played to its end. `error`: the output failed (one line); playback
  // has stopped.
  struct Events {
    std::function<void()> finished;
    std::function<void(const std::string& message)> error;
  };

  virtual ~PlaybackEngine() = default;
  virtual void setEvents(Events events) = 0;

  // Outputs the machine offers now (FluidSynth and the virtual port always; ports as listed).
  virtual std::vector<PlaybackOutputChoice> outputs() = 0;
  // Opens `id` (soundfont: the user's .sf2 for FluidSynth, "" = the Debian GM soundfont). On failure keeps
  // no output, puts a one-line reason into `error` and returns false.
  virtual bool selectOutput(const std::string& id, const std::string& soundfont, std::string* error) = 0;
  virtual bool hasOutput() const = 0;
  virtual std::string outputId() const = 0;
  virtual std::string outputName() const = 0;  // what the status bar shows, "" without output

  // `complete == false`: the score is still growing (a take being generated): playback waits at its end.
  virtual void setScore(const music::Score& score, bool complete) = 0;
  virtual void play() = 0;
  virtual void pause() = 0;
  virtual void stop() = 0;
  virtual void seek(double seconds) = 0;
  virtual void setLoop(double begin_seconds, double end_seconds) = 0;
  virtual void clearLoop() = 0;
  virtual double position() const = 0;  // seconds
  virtual double duration() const = 0;
  virtual State state() const = 0;
  virtual bool waitingForMore() const = 0;

  // Offline render to WAV (atomic). Throws std::exception with a one-line message naming the file;
  // `progress(fraction)` returning false cancels (the target is left untouched) and returns false.
  virtual bool renderWav(const music::Score& score, const std::string& path, const std::string& soundfont,
                         const std::function<bool(double fraction)>& progress) = 0;
  // The soundfont that would be used for `choice` ("" when none is found), and the one-line message
  // saying what to install when there is none.
  virtual std::string resolveSoundfont(const std::string& choice) const = 0;
  virtual std::string missingSoundfontMessage() const = 0;
};

}  // namespace spe::ui
