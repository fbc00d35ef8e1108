#pragma once
// "Loss vs position" (issue #11, the paper's Table 6 / Fig. 3 on the user's own songs): the teacher-forced
// loss of the loaded model at every position of the songs of a folder, as `spe eval --all-songs` computes it
// (GenerationEngine::evaluate), plotted with Qt Charts — one point per bucket of positions (thin) and a
// moving average (bold), the training length as a dashed line — and the trained vs extrapolation means with
// their ratio (APE's grows past the training length, SPE's stays near 1). Runs on a QThreadPool worker with
// progress and Cancel (honoured between songs); Export PNG / CSV (the CSV is `spe eval --csv`'s).

#include <QSize>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <atomic>
#include <memory>

#include "generation_engine.hpp"

class QChart;
class QChartView;
class QLabel;
class QLineEdit;
class QLineSeries;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QValueAxis;

namespace spe::ui {

class EvaluationView : public QWidget {
  Q_OBJECT

 public:
  explicit EvaluationView(QWidget* parent = nullptr);
  ~EvaluationView() override;
  QSize sizeHint() const override { return {640, 300}; }

  void setEngine(std::shared_ptr<GenerationEngine> engine);  // null: nothing to evaluate with

  // Evaluates `folder` with the length / bucket / file controls; false (and a line in the view) when an
  // evaluation is already running or there is no engine.
  bool start(const QString& folder);
  void cancel();
  bool isRunning() const { return running_; }

  // The controls (tests and the session set them): length 0 = 4 × the model's training length.
  void setLength(int tokens);
  void setBucket(int positions);
  void setMaxFiles(int files);
  EvaluationRequest request() const;

  // The last finished evaluation (empty after a failure or a cancel).
  const EvaluationCurve& curve() const { return curve_; }
  bool hasCurve() const { return !curve_.empty(); }
  bool lastCancelled() const { return last_cancelled_; }
  QString statusText() const;
  QStringList skipped() const;
  QLineSeries* rawSeries() const { return raw_; }
  QLineSeries* smoothSeries() const { return smooth_; }
  QLineSeries* trainingLine() const { return training_line_; }

  static constexpr int kSmoothing = 5;  // buckets in the moving average

  bool exportCsv(const QString& path, QString* error = nullptr) const;
  bool exportPng(const QString& path, QString* error = nullptr);

 Q_SIGNALS:
  void finished();  // an evaluation ended (curve, cancel or error)
  void errorOccurred(const QString& message);

 private:
  void replot();
  void updateControls();
  void finish(EvaluationCurve curve, const QString& error);

  std::shared_ptr<GenerationEngine> engine_;
  EvaluationCurve curve_;
  bool running_ = false, last_cancelled_ = false;
  std::shared_ptr<std::atomic<bool>> cancel_;
  int job_ = 0;

  QLineEdit* folder_ = nullptr;
  QPushButton *choose_ = nullptr, *start_ = nullptr, *cancel_button_ = nullptr, *png_ = nullptr, *csv_ = nullptr;
  QSpinBox *length_ = nullptr, *bucket_ = nullptr, *max_files_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* status_ = nullptr;
  QPlainTextEdit* skipped_ = nullptr;
  QChart* chart_ = nullptr;
  QChartView* view_ = nullptr;
  QLineSeries *raw_ = nullptr, *smooth_ = nullptr, *training_line_ = nullptr;
  QValueAxis *x_axis_ = nullptr, *y_axis_ = nullptr;
};

}  // namespace spe::ui
