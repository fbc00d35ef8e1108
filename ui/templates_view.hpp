#pragma once
// The "Positional templates" dock (issue #11, paper Fig. 7): what position alone contributes to the
// attention of the loaded model. SPE models (sineSPE, convSPE): a Qt Charts line chart of the kernel
// P(lag) of the chosen layer and head for lags 0 … max lag (default 4 × the training length) — the mean
// over the head's feature dims in bold (prescribed, and its estimate from the model's R code
// realisations), a few individual dims as thin lines, the training length as a dashed vertical line.
// APE models: the heatmap of the dot products ⟨p_i, p_j⟩ of the positional-encoding rows (min-max
// normalised, the core's heat_colour map). Computed by the engine on a worker thread, only while the view
// is active (a model load computes nothing for a tab behind another); Export PNG / CSV.

#include <QImage>
#include <QSize>
#include <QString>
#include <QWidget>
#include <memory>
#include <optional>

#include "generation_engine.hpp"

class QCheckBox;
class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QLineSeries;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QValueAxis;

namespace spe::ui {

class PositionalTemplatesView : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kThinDims = 4;  // individual feature dims drawn per head (evenly spaced)

  explicit PositionalTemplatesView(QWidget* parent = nullptr);
  ~PositionalTemplatesView() override;
  QSize sizeHint() const override { return {640, 300}; }

  // The engine of the loaded model (null clears the view); recomputes for its layers and training length.
  void setEngine(std::shared_ptr<GenerationEngine> engine);
  void setLayer(int layer);  // 0-based
  void setHead(int head);    // 0-based
  void setFeature(int dim);  // 0-based feature dim drawn thin; −1: kThinDims evenly spaced dims (thinDims)
  int feature() const;
  void setMaxLag(std::int64_t max_lag);
  // Whether the view is on screen (its dock's tab is the current one; true unless told otherwise). An
  // inactive view computes nothing: what it would have computed waits until it becomes active.
  void setActive(bool active);
  bool isActive() const { return active_; }
  int layer() const;
  int head() const;
  std::int64_t maxLag() const;

  bool isComputing() const { return running_; }
  bool hasTemplates() const { return shown_.has_value(); }
  const PositionalTemplates& templates() const { return *shown_; }  // requires hasTemplates()
  QString statusText() const;

  // The feature dims drawn as thin lines for `dims` dims per head.
  static std::vector<int> thinDims(int dims);
  std::vector<int> shownDims() const;  // the dims drawn thin now: thinDims, or the chosen feature
  // SPE chart series (for tests and export): mean over dims, prescribed and estimated; thin dim i
  // (shownDims()[i], prescribed); the training-length line.
  QLineSeries* meanPrescribedSeries() const { return mean_prescribed_; }
  QLineSeries* meanEstimatedSeries() const { return mean_estimated_; }
  QLineSeries* dimSeries(int i) const { return dims_[std::size_t(i)]; }
  QLineSeries* trainingLine() const { return training_line_; }
  QValueAxis* lagAxis() const { return x_axis_; }
  // APE: one pixel per matrix cell, heat_colour((v − min) / (max − min)); null for SPE models.
  const QImage& apeImage() const { return ape_image_; }
  static QImage apeImage(const PositionalTemplates& t);

  bool exportPng(const QString& path, QString* error = nullptr);  // the chart, or the APE image
  bool exportCsv(const QString& path,
                 QString* error = nullptr) const;  // the shown head's lags / the APE matrix

 Q_SIGNALS:
  void templatesReady();  // a requested computation arrived and is shown
  void errorOccurred(const QString& message);

 private:
  void refresh();  // recomputes for the current layer / max lag (latest request wins)
  void startJob();
  void replot();  // redraws the shown templates for the current head (no recomputation)
  void updateControls();
  void showApe();

  std::shared_ptr<GenerationEngine> engine_;
  std::optional<PositionalTemplates> shown_;
  QString model_name_;
  QSpinBox* layer_ = nullptr;
  QComboBox* head_ = nullptr;
  QSpinBox* feature_ = nullptr;
  QSpinBox* max_lag_ = nullptr;
  QCheckBox* show_estimated_ = nullptr;
  QPushButton* export_png_ = nullptr;
  QPushButton* export_csv_ = nullptr;
  QLabel* status_ = nullptr;
  QStackedWidget* pages_ = nullptr;
  QChart* chart_ = nullptr;
  QChartView* chart_view_ = nullptr;
  QValueAxis* x_axis_ = nullptr;
  QValueAxis* y_axis_ = nullptr;
  QLineSeries* mean_prescribed_ = nullptr;
  QLineSeries* mean_estimated_ = nullptr;
  std::vector<QLineSeries*> dims_;
  QLineSeries* training_line_ = nullptr;
  QLabel* ape_label_ = nullptr;
  QImage ape_image_;
  bool running_ = false;
  bool pending_ = false;
  bool active_ = true;
  bool stale_ = false;  // a computation was due while the view was inactive (a tab behind the curves)
  std::uint64_t generation_ = 0;  // bumps with every engine change: late results of an old engine are dropped
};

}  // namespace spe::ui
