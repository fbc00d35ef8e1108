#pragma once
// Runs GenerationEngine::generate on a worker QThread (the UI thread never runs the model) and turns its
// callbacks into queued Qt signals on the UI thread. One take at a time; cancel() is cooperative.

#include <QObject>
#include <QString>
#include <atomic>
#include <memory>

#include "generation_engine.hpp"

class QThread;

namespace spe::ui {

class PianoRollView;

class GenerationController : public QObject {
  Q_OBJECT

 public:
  explicit GenerationController(std::shared_ptr<GenerationEngine> engine, QObject* parent = nullptr);
  ~GenerationController() override;  // cancels a running take and waits for the worker

  GenerationEngine& engine() const { return *engine_; }
  std::shared_ptr<GenerationEngine> sharedEngine() const { return engine_; }
  bool isRunning() const { return running_; }
  // Starts a take; false (and nothing happens) while another one runs.
  bool start(const GenerationRequest& request);
  void cancel();

  // Streams a take into `roll`: at start the roll shows the prompt, notes arrive as they are generated,
  // and the finished take replaces them (keeping the view where it is).
  void attachPianoRoll(PianoRollView* roll);

 Q_SIGNALS:
  void started();
  // The prompt as the model decodes it: the roll shows this, then streamed notes of candidate 0.
  void promptDecoded(const spe::music::Score& prompt, spe::music::Tick prompt_end);
  void notesGenerated(int track, const spe::music::Track& header, const std::vector<spe::music::Note>& notes);
  void progressChanged(double fraction, qulonglong tokens, double tokens_per_second, double eta_seconds);
  void trainingEndReached(spe::music::Tick tick);
  // Entropy and log p of candidate 0's newest tokens, the first at take position `first`.
  void scoresGenerated(qulonglong first, const std::vector<float>& entropy, const std::vector<float>& log_prob);
  void finished(const spe::ui::GenerationOutcome& outcome);
  void failed(const QString& message);

 private:
  std::shared_ptr<GenerationEngine> engine_;
  QThread* thread_ = nullptr;
  QObject* worker_ = nullptr;  // lives in thread_; runs the engine
  std::atomic<bool> cancel_requested_{false};
  bool running_ = false;
};

}  // namespace spe::ui
