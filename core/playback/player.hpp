#pragma once
// Plays a Score on an Output from its own clock thread (steady_clock; it sleeps until the next event).
//
// * Positions are seconds from the score's start. play() starts or resumes at the position; pause() keeps
//   it; stop() returns to 0; seek() moves it (clamped to [0, duration]). The output gets all-notes-off on
//   stop, pause, seek, output change, loop wrap, and when the Player is destroyed.
// * set_score() may be called at any time. While playing, playback goes on from the current position with
//   the new events (events at or before the position are not replayed; if the new score differs before the
//   position, all-notes-off first). `complete == false` marks a score that is still growing (streaming
//   generation): at its end the playhead waits (state stays Playing, position() stays at the end) until a
//   longer score or a complete one arrives.
// * With a loop [begin, end) set, reaching end (or the end of a complete score, if sooner) jumps to begin.
// * Callbacks run on the clock thread, never with the Player's lock held: on_finished when a complete score
//   played to its end (the Player is then Stopped at 0); on_error when the output reports failed() (the
//   Player stops first). Calling the Player from a callback is allowed.
// * After a seek, a loop wrap or an output change, the program changes of the schedule are sent again.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "music/score.hpp"
#include "playback/output.hpp"
#include "playback/schedule.hpp"

namespace spe::playback {

class Player {
 public:
  enum class State { Stopped, Playing, Paused };
  struct Callbacks {
    std::function<void()> on_finished;
    std::function<void(const std::string& message)> on_error;
  };

  Player();
  ~Player();
  Player(const Player&) = delete;
  Player& operator=(const Player&) = delete;

  void set_callbacks(Callbacks callbacks);
  void set_output(std::shared_ptr<Output> output);  // may be null (events are then dropped)
  std::shared_ptr<Output> output() const;
  void set_score(const music::Score& score, bool complete = true);

  void play();
  void pause();
  void stop();
  void seek(double seconds);
  void set_loop(double begin, double end);  // ignored unless end > begin >= 0
  void clear_loop();
  std::optional<std::pair<double, double>> loop() const;

  double position() const;
  double duration() const;  // of the current score
  State state() const;
  bool waiting_for_more() const;  // Playing, at the end of an incomplete score

 private:
  using Clock = std::chrono::steady_clock;
  void run();
  double position_locked(Clock::time_point now) const;
  void reanchor_locked(double seconds, Clock::time_point now);
  void panic_locked();
  double wrap_point_locked() const;  // needs loop_
  void send_programs_locked();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  Callbacks callbacks_;
  std::shared_ptr<Output> output_;
  std::vector<MidiEvent> events_;
  double duration_ = 0.0;
  bool complete_ = true;
  State state_ = State::Stopped;
  double position_ = 0.0;               // when not playing (and the anchor's position when playing)
  Clock::time_point anchor_{};          // when playing: the clock time at which the position was position_
  bool starved_ = false;                // playing, waiting at the end of an incomplete score
  std::size_t next_ = 0;                // first event not yet sent
  double handled_until_ = -1.0;         // events at or before this time were sent (or skipped by a seek)
  bool resend_programs_ = true;
  std::optional<std::pair<double, double>> loop_;
  bool quit_ = false;
  std::thread thread_;
};

}  // namespace spe::playback
