#pragma once
// Entropy and −log p of every generated token vs its position in the take (Qt Charts): one point per
// token (thin) and a moving average (bold), the model's training length as a vertical line. Fed live
// while a take streams in (appendScores, at least every bar) and from a finished take's trace.

#include <QSize>
#include <QString>
#include <QWidget>
#include <memory>
#include <vector>

#include "generation_engine.hpp"

class QChart;
class QChartView;
class QLabel;
class QLineSeries;
class QValueAxis;

namespace spe::ui {

class TakeCurvesView : public QWidget {
  Q_OBJECT

 public:
  explicit TakeCurvesView(QWidget* parent = nullptr);
  QSize sizeHint() const override { return {640, 300}; }  // the docks' height under the roll

  void setTrace(std::shared_ptr<const TokenTrace> trace);  // a finished take; null clears
  void beginLive(std::int64_t train_len);                  // a take starts streaming
  void appendScores(std::size_t first, const std::vector<float>& entropy, const std::vector<float>& log_prob);

  static constexpr int kSmoothing = 32;  // tokens in the moving average

  // What is plotted (for tests and export): positions and values, one per generated token.
  const std::vector<double>& positions() const { return positions_; }
  const std::vector<double>& entropy() const { return entropy_; }
  const std::vector<double>& loss() const { return loss_; }  // −log p
  QLineSeries* entropySeries() const { return entropy_raw_; }
  QLineSeries* lossSeries() const { return loss_raw_; }
  QLineSeries* trainingLine() const { return training_line_; }
  std::int64_t trainLength() const { return train_len_; }

  bool exportCsv(const QString& path, QString* error = nullptr) const;
  bool exportPng(const QString& path, QString* error = nullptr);

 Q_SIGNALS:
  void errorOccurred(const QString& message);

 private:
  void clearData();
  void replot();

  std::vector<double> positions_, entropy_, loss_;
  std::int64_t train_len_ = 0;
  QChart* chart_ = nullptr;
  QChartView* view_ = nullptr;
  QLineSeries* entropy_raw_ = nullptr;
  QLineSeries* loss_raw_ = nullptr;
  QLineSeries* entropy_smooth_ = nullptr;
  QLineSeries* loss_smooth_ = nullptr;
  QLineSeries* training_line_ = nullptr;
  QValueAxis* x_axis_ = nullptr;
  QValueAxis* y_axis_ = nullptr;
  QLabel* summary_ = nullptr;
};

}  // namespace spe::ui
