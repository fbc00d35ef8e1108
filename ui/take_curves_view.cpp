#include "take_curves_view.hpp"

#include <QChart>
#include <QChartView>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPushButton>
#include <QValueAxis>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <tuple>

#include "chart_style.hpp"
#include "curve_math.hpp"
#include "export_file.hpp"

namespace spe::ui {
namespace {

QList<QPointF> points(const std::vector<double>& x, const std::vector<double>& y) {
  QList<QPointF> out;
  out.reserve(qsizetype(x.size()));
  for (std::size_t i = 0; i < x.size(); ++i) out.push_back({x[i], y[i]});
  return out;
}

double mean(const std::vector<double>& y, std::size_t from, std::size_t to) {
  if (to <= from) return 0.0;
  double s = 0;
  for (std::size_t i = from; i < to; ++i) s += y[i];
  return s / double(to - from);
}

}  // namespace

TakeCurvesView::TakeCurvesView(QWidget* parent) : QWidget(parent) {
  chart_ = make_dark_chart();
  const QColor entropy_colour(0x4f, 0xc3, 0xf7), loss_colour(0xff, 0x8a, 0x65);
  const QColor entropy_faint(entropy_colour.red(), entropy_colour.green(), entropy_colour.blue(), 70);
  const QColor loss_faint(loss_colour.red(), loss_colour.green(), loss_colour.blue(), 70);
  entropy_raw_ = add_line_series(chart_, tr("entropy (nats)"), entropy_faint, 1.0);
  loss_raw_ = add_line_series(chart_, tr("−log p (nats)"), loss_faint, 1.0);
  entropy_smooth_ = add_line_series(chart_, tr("entropy, mean of %1").arg(kSmoothing), entropy_colour, 2.0);
  loss_smooth_ = add_line_series(chart_, tr("−log p, mean of %1").arg(kSmoothing), loss_colour, 2.0);
  training_line_ = add_training_length_marker(chart_, tr("training length"));
  std::tie(x_axis_, y_axis_) = attach_value_axes(chart_, tr("token position in the take"), tr("nats"));
  // The legend names the bold curves; the thin per-token ones share their colours.
  for (QLineSeries* s : {entropy_raw_, loss_raw_})
    for (QLegendMarker* marker : chart_->legend()->markers(s)) marker->setVisible(false);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  auto* top = new QHBoxLayout;
  summary_ = new QLabel(tr("Generate or select a take to see its entropy and −log p per token."), this);
  summary_->setObjectName(QStringLiteral("curvesSummary"));
  summary_->setWordWrap(true);
  top->addWidget(summary_, 1);
  auto* png = new QPushButton(tr("Export PNG…"), this);
  auto* csv = new QPushButton(tr("Export CSV…"), this);
  top->addWidget(png);
  top->addWidget(csv);
  layout->addLayout(top);
  view_ = new QChartView(chart_, this);
  view_->setRenderHint(QPainter::Antialiasing);
  view_->setMinimumHeight(160);
  layout->addWidget(view_, 1);
  connect(png, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export curves PNG"), QString(), tr("PNG image (*.png)"));
    QString error;
    if (!path.isEmpty() && !exportPng(path, &error)) Q_EMIT errorOccurred(error);
  });
  connect(csv, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export curves CSV"), QString(), tr("CSV (*.csv)"));
    QString error;
    if (!path.isEmpty() && !exportCsv(path, &error)) Q_EMIT errorOccurred(error);
  });
  replot();
}

void TakeCurvesView::clearData() {
  positions_.clear();
  entropy_.clear();
  loss_.clear();
}

void TakeCurvesView::setTrace(std::shared_ptr<const TokenTrace> trace) {
  clearData();
  train_len_ = trace ? trace->train_len : 0;
  if (trace) {
    const std::size_t n = std::min(trace->entropy.size(), trace->log_prob.size());
    for (std::size_t k = 0; k < n; ++k) {
      positions_.push_back(double(trace->prompt_length + k));
      entropy_.push_back(trace->entropy[k]);
      loss_.push_back(-double(trace->log_prob[k]));
    }
  }
  replot();
}

void TakeCurvesView::beginLive(std::int64_t train_len) {
  clearData();
  train_len_ = train_len;
  replot();
}

void TakeCurvesView::appendScores(std::size_t first, const std::vector<float>& entropy, const std::vector<float>& log_prob) {
  const std::size_t n = std::min(entropy.size(), log_prob.size());
  for (std::size_t k = 0; k < n; ++k) {
    positions_.push_back(double(first + k));
    entropy_.push_back(entropy[k]);
    loss_.push_back(-double(log_prob[k]));
  }
  replot();
}

void TakeCurvesView::replot() {
  entropy_raw_->replace(points(positions_, entropy_));
  loss_raw_->replace(points(positions_, loss_));
  entropy_smooth_->replace(points(positions_, moving_average(entropy_, kSmoothing)));
  loss_smooth_->replace(points(positions_, moving_average(loss_, kSmoothing)));
  // Up to the 99th percentile of the values: a few surprising tokens must not flatten the curves.
  std::vector<double> all(entropy_);
  all.insert(all.end(), loss_.begin(), loss_.end());
  double top = 1.0;
  if (!all.empty()) {
    const auto at = all.begin() + std::ptrdiff_t(double(all.size() - 1) * 0.99);
    std::nth_element(all.begin(), at, all.end());
    top = std::max(top, std::ceil(*at * 1.1));
  }
  const double first = positions_.empty() ? 0.0 : positions_.front();
  const double last = positions_.empty() ? 1.0 : std::max(positions_.back(), first + 1.0);
  x_axis_->setRange(first, std::max(last, train_len_ > first ? double(train_len_) : last));
  y_axis_->setRange(0.0, top);
  if (train_len_ > 0)
    training_line_->replace({QPointF(double(train_len_), 0.0), QPointF(double(train_len_), top)});
  else
    training_line_->clear();

  if (positions_.empty()) return;
  // Trained vs extrapolated means: the number the paper's Table 6 compares.
  std::size_t split = 0;
  while (split < positions_.size() && positions_[split] < double(train_len_)) ++split;
  QString text = tr("%1 tokens · mean entropy %2 · mean −log p %3 nats")
                     .arg(positions_.size())
                     .arg(mean(entropy_, 0, entropy_.size()), 0, 'f', 2)
                     .arg(mean(loss_, 0, loss_.size()), 0, 'f', 2);
  if (split > 0 && split < positions_.size())
    text += tr(" · −log p within / past the training length: %1 / %2")
                .arg(mean(loss_, 0, split), 0, 'f', 2)
                .arg(mean(loss_, split, loss_.size()), 0, 'f', 2);
  summary_->setText(text);
}

bool TakeCurvesView::exportCsv(const QString& path, QString* error) const {
  QByteArray text = "position,entropy_nats,neg_log_prob_nats\n";
  char line[96];
  for (std::size_t i = 0; i < positions_.size(); ++i) {
    std::snprintf(line, sizeof line, "%.0f,%.9g,%.9g\n", positions_[i], entropy_[i], loss_[i]);
    text += line;
  }
  return write_file_atomically(path, text, error);
}

bool TakeCurvesView::exportPng(const QString& path, QString* error) {
  return write_image_atomically(path, view_->grab().toImage(), error);
}

}  // namespace spe::ui
