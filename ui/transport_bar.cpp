#include "transport_bar.hpp"

#include <QAction>
#include <QLabel>
#include <QPointer>
#include <QSpinBox>
#include <QStyle>
#include <QTimer>
#include <algorithm>
#include <cmath>

#include "timeline.hpp"

namespace spe::ui {
namespace {

constexpr int kPollMs = 30;  // ≈33 playhead updates per second: smooth without loading the UI thread

QString clock_text(double seconds) {
  seconds = std::max(0.0, seconds);
  const int minutes = static_cast<int>(seconds / 60);
  return QStringLiteral("%1:%2").arg(minutes).arg(seconds - 60.0 * minutes, 4, 'f', 1, QLatin1Char('0'));
}

}  // namespace

TransportBar::TransportBar(QWidget* parent) : QToolBar(tr("Transport"), parent) {
  setObjectName(QStringLiteral("transportBar"));
  setToolButtonStyle(Qt::ToolButtonIconOnly);

  play_action_ = addAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("Play"));
  play_action_->setObjectName(QStringLiteral("playAction"));
  play_action_->setShortcut(QKeySequence(Qt::Key_Space));
  play_action_->setShortcutContext(Qt::WindowShortcut);
  play_action_->setToolTip(tr("Play / pause (Space)"));
  connect(play_action_, &QAction::triggered, this, &TransportBar::togglePlay);

  stop_action_ = addAction(style()->standardIcon(QStyle::SP_MediaStop), tr("Stop"));
  stop_action_->setObjectName(QStringLiteral("stopPlaybackAction"));
  stop_action_->setToolTip(tr("Stop and return to the start"));
  connect(stop_action_, &QAction::triggered, this, &TransportBar::stop);

  addSeparator();
  loop_action_ = addAction(tr("Loop"));
  loop_action_->setObjectName(QStringLiteral("loopAction"));
  loop_action_->setCheckable(true);
  loop_action_->setToolTip(tr("Loop the bars below"));
  connect(loop_action_, &QAction::toggled, this, &TransportBar::applyLoop);
  auto spin = [this](const char* name, const QString& tip) {
    auto* box = new QSpinBox(this);
    box->setObjectName(QString::fromLatin1(name));
    box->setRange(1, 1);
    box->setToolTip(tip);
    connect(box, &QSpinBox::valueChanged, this, &TransportBar::applyLoop);
    addWidget(box);
    return box;
  };
  addWidget(new QLabel(tr(" bars "), this));
  loop_from_ = spin("loopFromSpin", tr("First bar of the loop"));
  addWidget(new QLabel(tr("–"), this));
  loop_to_ = spin("loopToSpin", tr("Last bar of the loop"));

  addSeparator();
  follow_action_ = addAction(tr("Follow"));
  follow_action_->setObjectName(QStringLiteral("followAction"));
  follow_action_->setCheckable(true);
  follow_action_->setChecked(true);
  follow_action_->setToolTip(tr("Scroll the piano roll with the playhead"));

  position_label_ = new QLabel(this);
  position_label_->setObjectName(QStringLiteral("positionLabel"));
  position_label_->setMinimumWidth(200);
  position_label_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
  addWidget(position_label_);

  timer_ = new QTimer(this);
  timer_->setInterval(kPollMs);
  connect(timer_, &QTimer::timeout, this, &TransportBar::poll);
  setScore(music::Score{}, true);
  updateControls();
}

TransportBar::~TransportBar() {
  if (engine_) engine_->setEvents({});  // no callback may reach a destroyed bar
}

void TransportBar::setEngine(std::shared_ptr<PlaybackEngine> engine) {
  if (engine_) engine_->setEvents({});
  engine_ = std::move(engine);
  if (engine_) {
    // Callbacks come from the clock thread: hop to the UI thread, and only while the bar exists.
    QPointer<TransportBar> self(this);
    PlaybackEngine::Events events;
    events.finished = [self] {
      QMetaObject::invokeMethod(self.data(), [self] { if (self) self->onFinished(); }, Qt::QueuedConnection);
    };
    events.error = [self](const std::string& message) {
      const QString text = QString::fromStdString(message);
      QMetaObject::invokeMethod(self.data(), [self, text] {
        if (!self) return;
        self->onFinished();
        Q_EMIT self->errorOccurred(text);
      }, Qt::QueuedConnection);
    };
    engine_->setEvents(std::move(events));
  }
  updateControls();
}

void TransportBar::setScore(const music::Score& score, bool complete) {
  tempo_.emplace(score);
  end_tick_ = score.end_tick();
  bar_count_ = std::max(1, bar_count(score));
  // A loop end left at the last bar keeps following it (the loop covers the whole take, also while it
  // streams in); one the user moved stays where it is.
  const bool end_follows_score = loop_to_->value() == loop_to_->maximum();
  for (QSpinBox* box : {loop_from_, loop_to_}) {
    const QSignalBlocker block(box);
    box->setMaximum(bar_count_);
  }
  if (end_follows_score) {
    const QSignalBlocker block(loop_to_);
    loop_to_->setValue(bar_count_);
  }
  if (loop_to_->value() < loop_from_->value()) {
    const QSignalBlocker block(loop_to_);
    loop_to_->setValue(loop_from_->value());
  }
  if (engine_) {
    engine_->setScore(score, complete);
    applyLoop();  // bar times may have changed with the tempo map
  }
  poll();
}

double TransportBar::secondsAt(music::Tick tick) const { return tempo_ ? tempo_->seconds_at(tick) : 0.0; }

void TransportBar::play() {
  if (!engine_) return;
  if (!engine_->hasOutput() && open_output_ && !open_output_()) return;
  engine_->play();
  updateControls();
}

void TransportBar::pause() {
  if (!engine_) return;
  engine_->pause();
  updateControls();
}

void TransportBar::togglePlay() {
  if (state() == PlaybackEngine::State::Playing)
    pause();
  else
    play();
}

void TransportBar::stop() {
  if (!engine_) return;
  engine_->stop();
  updateControls();
}

void TransportBar::seekTick(music::Tick tick) {
  if (!engine_) return;
  engine_->seek(secondsAt(std::max<music::Tick>(0, tick)));
  poll();
}

void TransportBar::setLoopBars(int first, int last) {
  loop_from_->setValue(first + 1);
  loop_to_->setValue(std::max(first, last) + 1);
  applyLoop();
}

void TransportBar::setLoopEnabled(bool on) { loop_action_->setChecked(on); }
bool TransportBar::loopEnabled() const { return loop_action_->isChecked(); }
bool TransportBar::following() const { return follow_action_->isChecked(); }
void TransportBar::setFollowing(bool on) { follow_action_->setChecked(on); }

void TransportBar::applyLoop() {
  if (!engine_ || !tempo_) return;
  if (!loop_action_->isChecked()) {
    engine_->clearLoop();
    return;
  }
  const int first = loop_from_->value() - 1;
  const int last = std::max(first, loop_to_->value() - 1);
  engine_->setLoop(secondsAt(tempo_->bar_start(first)), secondsAt(tempo_->bar_start(last + 1)));
}

PlaybackEngine::State TransportBar::state() const { return engine_ ? engine_->state() : PlaybackEngine::State::Stopped; }

music::Tick TransportBar::playheadTick() const {
  if (!engine_ || !tempo_) return -1;
  if (engine_->state() == PlaybackEngine::State::Stopped && engine_->position() <= 0.0) return -1;
  return tempo_->tick_at_seconds(engine_->position());
}

QString TransportBar::positionText() const { return position_label_->text(); }

void TransportBar::poll() {
  const double position = engine_ ? engine_->position() : 0.0;
  const double duration = engine_ ? engine_->duration() : secondsAt(end_tick_);
  const double bars = tempo_ ? tempo_->bars_at(tempo_->tick_at_seconds(position)) : 0.0;
  QString text = tr("Bar %1 · %2 / %3").arg(bars + 1.0, 0, 'f', 1).arg(clock_text(position), clock_text(duration));
  if (engine_ && engine_->waitingForMore()) text += tr(" · waiting for the take");
  position_label_->setText(text);
  Q_EMIT playheadMoved(playheadTick());
  if (state() != last_state_) updateControls();
}

void TransportBar::onFinished() { updateControls(); }

void TransportBar::updateControls() {
  const bool has = engine_ != nullptr;
  for (QAction* a : {play_action_, stop_action_, loop_action_}) a->setEnabled(has);
  loop_from_->setEnabled(has);
  loop_to_->setEnabled(has);
  const PlaybackEngine::State now = state();
  const bool playing = now == PlaybackEngine::State::Playing;
  play_action_->setIcon(style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
  play_action_->setText(playing ? tr("Pause") : tr("Play"));
  if (playing && !timer_->isActive()) timer_->start();
  if (!playing) timer_->stop();
  const bool changed = now != last_state_;
  last_state_ = now;
  if (!has) setToolTip(tr("Playback is not available in this build"));
  if (changed) {
    poll();
    Q_EMIT stateChanged();
  }
}

}  // namespace spe::ui
