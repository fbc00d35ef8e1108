#include "generation_controller.hpp"

#include <QPointer>
#include <QThread>
#include <chrono>
#include <exception>
#include <stdexcept>

#include "piano_roll_view.hpp"

namespace spe::ui {

EvaluationCurve GenerationEngine::evaluate(const EvaluationRequest&, const std::function<void(double)>&,
                                           const std::function<bool()>&) const {
  throw std::runtime_error("this engine evaluates no loss vs position");
}

AttentionMap GenerationEngine::attention(const TokenTrace&, int, int, std::int64_t, std::int64_t) const {
  throw std::runtime_error("this engine computes no attention");
}

PositionalTemplates GenerationEngine::positionalTemplates(int, std::int64_t) const {
  throw std::runtime_error("this engine computes no positional templates");
}

music::Score prompt_prefix(const music::Score& score, music::Tick end) {
  music::Score prompt;
  prompt.ticks_per_beat = score.ticks_per_beat;
  auto before = [end](const auto& list) {
    std::decay_t<decltype(list)> kept;
    for (const auto& item : list)
      if (item.tick < end) kept.push_back(item);
    return kept;
  };
  prompt.tempos = before(score.tempos);
  prompt.time_signatures = before(score.time_signatures);
  prompt.key_signatures = before(score.key_signatures);
  prompt.markers = before(score.markers);
  prompt.chords = before(score.chords);
  for (const auto& track : score.tracks) {
    music::Track cut = track;
    cut.notes.clear();
    for (auto note : track.notes) {
      if (note.start >= end) continue;
      note.from_prompt = true;
      cut.notes.push_back(note);
    }
    prompt.tracks.push_back(std::move(cut));  // empty tracks stay: the take keeps the prompt's layout
  }
  return prompt;
}

GenerationController::GenerationController(std::shared_ptr<GenerationEngine> engine, QObject* parent)
    : QObject(parent), engine_(std::move(engine)) {
  thread_ = new QThread(this);
  thread_->setObjectName(QStringLiteral("generation"));
  worker_ = new QObject;  // no parent: it moves to the worker thread and is deleted there
  worker_->moveToThread(thread_);
  connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
  thread_->start();
}

GenerationController::~GenerationController() {
  cancel();
  thread_->quit();
  thread_->wait();
}

bool GenerationController::start(const GenerationRequest& request) {
  if (running_) return false;
  running_ = true;
  cancel_requested_ = false;
  Q_EMIT started();
  // Everything below the invokeMethod runs on the worker thread; results come back as functors queued to
  // this object (UI thread), which Qt drops if the controller is gone by then.
  QMetaObject::invokeMethod(worker_, [this, request] {
    const auto t0 = std::chrono::steady_clock::now();
    GenerationSink sink;
    sink.reset = [this](const music::Score& prompt, music::Tick prompt_end) {
      QMetaObject::invokeMethod(this, [this, prompt, prompt_end] { Q_EMIT promptDecoded(prompt, prompt_end); },
                                Qt::QueuedConnection);
    };
    sink.notes = [this](int track, const music::Track& header, std::vector<music::Note> notes) {
      music::Track bare = header;
      bare.notes.clear();
      QMetaObject::invokeMethod(this, [this, track, bare, notes = std::move(notes)] {
        Q_EMIT notesGenerated(track, bare, notes);
      }, Qt::QueuedConnection);
    };
    // Progress is throttled here (one queued call per ~50 ms), so a fast model cannot flood the UI thread.
    auto last = std::make_shared<std::chrono::steady_clock::time_point>();
    sink.progress = [this, t0, last](double fraction, std::size_t tokens) {
      const auto now = std::chrono::steady_clock::now();
      if (now - *last < std::chrono::milliseconds(50) && fraction < 1.0) return;
      *last = now;
      const double elapsed = std::chrono::duration<double>(now - t0).count();
      const double rate = elapsed > 0 ? double(tokens) / elapsed : 0.0;
      const double eta = fraction > 1e-3 ? elapsed * (1.0 - fraction) / fraction : -1.0;
      QMetaObject::invokeMethod(this, [this, fraction, tokens, rate, eta] {
        Q_EMIT progressChanged(fraction, qulonglong(tokens), rate, eta);
      }, Qt::QueuedConnection);
    };
    sink.training_end = [this](music::Tick tick) {
      QMetaObject::invokeMethod(this, [this, tick] { Q_EMIT trainingEndReached(tick); }, Qt::QueuedConnection);
    };
    sink.scores = [this](std::size_t first, std::vector<float> entropy, std::vector<float> log_prob) {
      QMetaObject::invokeMethod(this, [this, first, entropy = std::move(entropy), log_prob = std::move(log_prob)] {
        Q_EMIT scoresGenerated(qulonglong(first), entropy, log_prob);
      }, Qt::QueuedConnection);
    };
    sink.cancelled = [this] { return cancel_requested_.load(); };
    try {
      GenerationOutcome outcome = engine_->generate(request, sink);
      outcome.cancelled = outcome.cancelled || cancel_requested_.load();
      QMetaObject::invokeMethod(this, [this, outcome = std::move(outcome)] {
        running_ = false;
        Q_EMIT finished(outcome);
      }, Qt::QueuedConnection);
    } catch (const std::exception& e) {
      const QString message = QString::fromUtf8(e.what()).simplified();
      QMetaObject::invokeMethod(this, [this, message] {
        running_ = false;
        Q_EMIT failed(message);
      }, Qt::QueuedConnection);
    }
  }, Qt::QueuedConnection);
  return true;
}

void GenerationController::cancel() { cancel_requested_ = true; }

void GenerationController::attachPianoRoll(PianoRollView* roll) {
  QPointer<PianoRollView> view(roll);
  connect(this, &GenerationController::started, roll, [view] { view->setFollowAppends(true); });
  connect(this, &GenerationController::promptDecoded, roll, [view](const music::Score& prompt, music::Tick end) {
    view->setScore(prompt, /*keep_view=*/true);
    view->setPromptEndTick(end > 0 ? end : -1);
  });
  connect(this, &GenerationController::notesGenerated, roll,
          [view](int track, const music::Track& header, const std::vector<music::Note>& notes) {
            if (track < 0) return;
            while (static_cast<int>(view->score().tracks.size()) <= track) view->addTrack(header);
            view->appendNotes(track, notes);
          });
  connect(this, &GenerationController::finished, roll, [view](const GenerationOutcome& outcome) {
    view->setFollowAppends(false);
    // The engine's decoded take is the reference.
    if (!outcome.takes.empty()) view->setScore(outcome.takes.front().score, /*keep_view=*/true);
  });
  connect(this, &GenerationController::failed, roll, [view] { view->setFollowAppends(false); });
}

}  // namespace spe::ui
