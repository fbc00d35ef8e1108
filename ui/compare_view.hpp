#pragma once
// The Compare window: the same prompt, seed and sampling through two to five models side by side (paper
// Fig. 3 by ear and by eye: APE against SPE far past the training length). Each model is loaded into its
// own engine and runs on its own worker (as many at once as the cores allow), streaming into its own
// piano roll; the rolls share one time axis and each shows its model's training-length marker. Under
// them, every take's entropy and −log p vs position (moving averages). Each finished take is reported
// (the main window keeps it as a take) and its Play button asks the main window to play it.

#include <QList>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <memory>
#include <vector>

#include "generation_engine.hpp"

class QChart;
class QLabel;
class QLineSeries;
class QListWidget;
class QProgressBar;
class QPushButton;
class QValueAxis;
class QVBoxLayout;

namespace spe::ui {

class GenerationController;
class ModelCatalog;
class PianoRollView;

class CompareView : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kMinModels = 2, kMaxModels = 5;

  explicit CompareView(QWidget* parent = nullptr);
  ~CompareView() override;

  // The models offered (checkable; REMI models checked first time) and how to load them.
  void setCatalog(std::shared_ptr<ModelCatalog> catalog, const QString& device, int threads_per_model);
  // What every lane generates: prompt, length, seed and sampling (the Generation panel's settings).
  void setRequest(const GenerationRequest& request);
  const GenerationRequest& request() const { return request_; }

  // Starts one lane per model folder (2..5, in that order); false with a one-line lastError() otherwise.
  bool start(const QStringList& model_folders);
  bool startChecked();  // the models checked in the list
  void cancel();
  bool isRunning() const;
  QString lastError() const { return last_error_; }

  // Lanes of the last start, in order.
  int laneCount() const { return int(lanes_.size()); }
  PianoRollView* laneRoll(int lane) const;
  QString laneModelName(int lane) const;
  const GeneratedTake* laneTake(int lane) const;  // null until the lane finished
  QPushButton* lanePlayButton(int lane) const;
  QLineSeries* lossSeries(int lane) const;     // −log p, moving average, one point per generated token
  QLineSeries* entropySeries(int lane) const;
  void setModelChecked(const QString& folder, bool checked);
  // Every lane's per-token values (lane, model, position, entropy, −log p) / the whole window as an image.
  bool exportCsv(const QString& path, QString* error = nullptr) const;
  bool exportPng(const QString& path, QString* error = nullptr);

  static constexpr int kSmoothing = 32;

 Q_SIGNALS:
  void takeReady(int lane, const spe::ui::GeneratedTake& take, const QString& model_name);
  void playRequested(int lane);
  void allFinished();

 private:
  struct Lane;
  void startPending();
  void onLaneFinished(int lane, const GenerationOutcome& outcome);
  void onLaneFailed(int lane, const QString& message);
  void syncTimeAxis(PianoRollView* source);
  void updateCurves(int lane);
  void clearLanes();

  std::shared_ptr<ModelCatalog> catalog_;
  QString device_ = QStringLiteral("cpu");
  int threads_per_model_ = 1;
  GenerationRequest request_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  int running_ = 0;
  bool syncing_ = false;
  QString last_error_;

  QListWidget* model_list_ = nullptr;
  QPushButton* start_button_ = nullptr;
  QPushButton* stop_button_ = nullptr;
  QLabel* status_ = nullptr;
  QVBoxLayout* lanes_layout_ = nullptr;
  QChart* loss_chart_ = nullptr;
  QChart* entropy_chart_ = nullptr;
};

}  // namespace spe::ui
