#pragma once
// The transport: play / pause (space), stop, loop a bar range, follow the playhead, and the position
// (bar · time / length). It drives a PlaybackEngine and reports the playhead in ticks of the score it was
// given; the window moves the roll's playhead and turns ruler clicks into seekTick().

#include <QToolBar>
#include <functional>
#include <memory>
#include <optional>

#include "music/score.hpp"
#include "music/tempo_map.hpp"
#include "playback_engine.hpp"

class QAction;
class QLabel;
class QSpinBox;
class QTimer;

namespace spe::ui {

class TransportBar : public QToolBar {
  Q_OBJECT

 public:
  explicit TransportBar(QWidget* parent = nullptr);
  ~TransportBar() override;

  // Without an engine the bar is disabled (builds without audio).
  void setEngine(std::shared_ptr<PlaybackEngine> engine);
  PlaybackEngine* engine() const { return engine_.get(); }
  // Asked before playing when the engine has no output yet: opens one (false + message shown by the
  // window when it cannot).
  void setOutputOpener(std::function<bool()> opener) { open_output_ = std::move(opener); }

  // What plays: the roll's score. `complete == false` while a take is still streaming in.
  void setScore(const music::Score& score, bool complete);

  void play();
  void pause();
  void togglePlay();
  void stop();
  void seekTick(music::Tick tick);
  // Loop bars [first, last] (0-based, inclusive); applied while the loop button is on.
  void setLoopBars(int first, int last);
  void setLoopEnabled(bool on);
  bool loopEnabled() const;
  bool following() const;
  void setFollowing(bool on);

  PlaybackEngine::State state() const;
  music::Tick playheadTick() const;  // -1 when stopped at the start
  QString positionText() const;

  QAction* playAction() const { return play_action_; }
  QAction* stopAction() const { return stop_action_; }
  QAction* loopAction() const { return loop_action_; }

 Q_SIGNALS:
  void playheadMoved(spe::music::Tick tick);  // -1: hide (stopped)
  void stateChanged();
  void errorOccurred(const QString& message);  // the output failed while playing

 private:
  void poll();
  void applyLoop();
  void updateControls();
  void onFinished();
  double secondsAt(music::Tick tick) const;

  std::shared_ptr<PlaybackEngine> engine_;
  std::function<bool()> open_output_;
  std::optional<music::TempoMap> tempo_;
  music::Tick end_tick_ = 0;
  int bar_count_ = 1;
  QAction* play_action_ = nullptr;
  QAction* stop_action_ = nullptr;
  QAction* loop_action_ = nullptr;
  QAction* follow_action_ = nullptr;
  QSpinBox* loop_from_ = nullptr;
  QSpinBox* loop_to_ = nullptr;
  QLabel* position_label_ = nullptr;
  QTimer* timer_ = nullptr;
  PlaybackEngine::State last_state_ = PlaybackEngine::State::Stopped;
};

}  // namespace spe::ui
