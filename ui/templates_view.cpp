#include "templates_view.hpp"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPainter>
#include <QPointer>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QThreadPool>
#include <QValueAxis>
#include <algorithm>
#include <cstdio>
#include <limits>
#include <tuple>

#include "chart_style.hpp"
#include "export_file.hpp"
#include "plot/colormap.hpp"
#include "track_palette.hpp"

namespace spe::ui {
namespace {

constexpr int kApeDisplaySide =
    208;  // pixels of the shown APE heatmap (the image itself is one pixel per cell)

QString pe_name(const std::string& pe) {
  if (pe == "sine") return QStringLiteral("sineSPE");
  if (pe == "conv") return QStringLiteral("convSPE");
  if (pe == "ape") return QStringLiteral("APE");
  return QString::fromStdString(pe);
}

}  // namespace

PositionalTemplatesView::PositionalTemplatesView(QWidget* parent) : QWidget(parent) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(6, 6, 6, 6);
  pages_ = new QStackedWidget(this);
  layout->addWidget(pages_, 1);

  chart_ = make_dark_chart();
  QFont legend_font = chart_->legend()->font();
  legend_font.setPointSizeF(std::max(6.0, legend_font.pointSizeF() - 1.5));
  chart_->legend()->setFont(legend_font);
  const QColor prescribed(0x4f, 0xc3, 0xf7), estimated(0xff, 0x8a, 0x65);
  const QColor prescribed_faint(prescribed.red(), prescribed.green(), prescribed.blue(), 80);
  for (int i = 0; i < kThinDims; ++i)
    dims_.push_back(add_line_series(chart_, tr("dim"), prescribed_faint, 1.0));
  // The estimate is drawn over the bold prescribed mean, thinner, so both stay visible where they agree.
  mean_prescribed_ = add_line_series(chart_, tr("prescribed"), prescribed, 2.5);
  mean_estimated_ = add_line_series(chart_, tr("estimated"), estimated, 1.2);
  training_line_ = add_training_length_marker(chart_, tr("training length"));
  std::tie(x_axis_, y_axis_) = attach_value_axes(chart_, tr("lag (tokens)"), tr("P(lag)"));
  for (int i = 1; i < kThinDims; ++i)  // one legend entry for the thin dims
    for (QLegendMarker* marker : chart_->legend()->markers(dims_[std::size_t(i)])) marker->setVisible(false);
  chart_view_ = new QChartView(chart_, pages_);
  chart_view_->setObjectName(QStringLiteral("templatesChart"));
  chart_view_->setRenderHint(QPainter::Antialiasing);
  chart_view_->setMinimumHeight(160);
  pages_->addWidget(chart_view_);
  ape_label_ = new QLabel(pages_);
  ape_label_->setObjectName(QStringLiteral("templatesApeImage"));
  ape_label_->setAlignment(Qt::AlignCenter);
  pages_->addWidget(ape_label_);

  auto* side = new QWidget(this);
  side->setMaximumWidth(300);
  auto* controls = new QFormLayout(side);
  controls->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(side);
  layer_ = new QSpinBox(side);
  layer_->setObjectName(QStringLiteral("templatesLayer"));
  layer_->setRange(1, 1);
  controls->addRow(tr("Layer"), layer_);
  head_ = new QComboBox(side);
  head_->setObjectName(QStringLiteral("templatesHead"));
  feature_ = new QSpinBox(side);
  feature_->setObjectName(QStringLiteral("templatesFeature"));
  feature_->setRange(0, 0);
  feature_->setSpecialValueText(tr("%1 dims").arg(kThinDims));
  feature_->setPrefix(tr("dim "));
  feature_->setToolTip(
      tr("The feature dims drawn as thin lines: %1 evenly spaced ones, or one chosen dim").arg(kThinDims));
  auto* head_row = new QHBoxLayout;
  head_row->addWidget(head_, 1);
  head_row->addWidget(feature_);
  controls->addRow(tr("Head"), head_row);
  max_lag_ = new QSpinBox(side);
  max_lag_->setObjectName(QStringLiteral("templatesMaxLag"));
  max_lag_->setRange(16, 65536);
  max_lag_->setSingleStep(256);
  max_lag_->setValue(2048);
  max_lag_->setKeyboardTracking(false);
  max_lag_->setToolTip(tr("Largest lag (SPE) or position (APE); opens at 4 × the training length"));
  controls->addRow(tr("Max lag"), max_lag_);
  show_estimated_ = new QCheckBox(tr("Estimate from R realisations"), side);
  show_estimated_->setChecked(true);
  show_estimated_->setToolTip(tr("The kernel the model's R random codes really realise (what a take sees)"));
  controls->addRow(show_estimated_);
  auto* exports = new QHBoxLayout;
  export_png_ = new QPushButton(tr("Export PNG…"), side);
  export_csv_ = new QPushButton(tr("Export CSV…"), side);
  exports->addWidget(export_png_);
  exports->addWidget(export_csv_);
  controls->addRow(exports);
  status_ = new QLabel(side);
  status_->setObjectName(QStringLiteral("templatesStatus"));
  status_->setWordWrap(true);
  controls->addRow(status_);

  connect(layer_, &QSpinBox::valueChanged, this, &PositionalTemplatesView::refresh);
  connect(max_lag_, &QSpinBox::valueChanged, this, &PositionalTemplatesView::refresh);
  connect(head_, &QComboBox::currentIndexChanged, this, &PositionalTemplatesView::replot);
  connect(feature_, &QSpinBox::valueChanged, this, &PositionalTemplatesView::replot);
  connect(show_estimated_, &QCheckBox::toggled, this, &PositionalTemplatesView::replot);
  auto export_with = [this](bool png) {
    const QString path = QFileDialog::getSaveFileName(
        this, png ? tr("Export positional templates PNG") : tr("Export positional templates CSV"), QString(),
        png ? tr("PNG image (*.png)") : tr("CSV (*.csv)"));
    if (path.isEmpty()) return;
    QString error;
    if (!(png ? exportPng(path, &error) : exportCsv(path, &error))) Q_EMIT errorOccurred(error);
  };
  connect(export_png_, &QPushButton::clicked, this, [export_with] { export_with(true); });
  connect(export_csv_, &QPushButton::clicked, this, [export_with] { export_with(false); });
  refresh();
}

PositionalTemplatesView::~PositionalTemplatesView() = default;

void PositionalTemplatesView::setEngine(std::shared_ptr<GenerationEngine> engine) {
  engine_ = std::move(engine);
  ++generation_;
  shown_.reset();
  ape_image_ = QImage();
  const ModelDescription d = engine_ ? engine_->description() : ModelDescription{};
  model_name_ = QString::fromStdString(d.name);
  {
    const QSignalBlocker block_layer(layer_), block_head(head_), block_lag(max_lag_);
    layer_->setRange(1, std::max(1, d.layers));
    const int head = head_->currentIndex();
    head_->clear();
    for (int h = 0; h < d.heads; ++h) head_->addItem(tr("Head %1").arg(h + 1), h);
    head_->setCurrentIndex(std::clamp(head, 0, std::max(0, head_->count() - 1)));
    if (d.train_len > 0)
      max_lag_->setValue(int(std::min<std::int64_t>(4 * d.train_len, max_lag_->maximum())));
  }
  replot();
  refresh();
}

void PositionalTemplatesView::setLayer(int layer) {
  layer_->setValue(layer + 1);
}
void PositionalTemplatesView::setHead(int head) {
  const int index = head_->findData(head);
  if (index >= 0) head_->setCurrentIndex(index);
}
void PositionalTemplatesView::setMaxLag(std::int64_t max_lag) {
  max_lag_->setValue(int(max_lag));
}
int PositionalTemplatesView::layer() const {
  return layer_->value() - 1;
}
int PositionalTemplatesView::head() const {
  return head_->currentData().isValid() ? head_->currentData().toInt() : 0;
}
std::int64_t PositionalTemplatesView::maxLag() const {
  return max_lag_->value();
}
QString PositionalTemplatesView::statusText() const {
  return status_->text();
}

void PositionalTemplatesView::setFeature(int dim) {
  feature_->setValue(dim < 0 ? 0 : dim + 1);
}
int PositionalTemplatesView::feature() const {
  return feature_->value() - 1;
}

std::vector<int> PositionalTemplatesView::shownDims() const {
  if (!shown_ || shown_->isApe()) return {};
  if (feature() >= 0 && feature() < shown_->dims) return {feature()};
  return thinDims(shown_->dims);
}

std::vector<int> PositionalTemplatesView::thinDims(int dims) {
  std::vector<int> out;
  for (int i = 0; i < kThinDims && i < dims; ++i) out.push_back(i * dims / std::min(kThinDims, dims));
  return out;
}

void PositionalTemplatesView::updateControls() {
  const bool ape = shown_ && shown_->isApe();
  layer_->setEnabled(engine_ && !ape);
  head_->setEnabled(engine_ && !ape);
  feature_->setEnabled(engine_ && !ape);
  show_estimated_->setEnabled(engine_ && !ape);
  max_lag_->setEnabled(bool(engine_));
  export_png_->setEnabled(shown_.has_value());
  export_csv_->setEnabled(shown_.has_value());
}

void PositionalTemplatesView::refresh() {
  updateControls();
  if (!engine_) {
    status_->setText(tr("Load a model to see its positional templates."));
    return;
  }
  if (!active_) {
    stale_ = true;
    return;
  }
  if (running_) {
    pending_ = true;
    return;
  }
  startJob();
}

void PositionalTemplatesView::setActive(bool active) {
  active_ = active;
  if (active_ && stale_) {
    stale_ = false;
    refresh();
  }
}

void PositionalTemplatesView::startJob() {
  stale_ = false;
  running_ = true;
  pending_ = false;
  const int layer = layer_->value() - 1;
  const std::int64_t max_lag = max_lag_->value();
  const std::uint64_t generation = generation_;
  status_->setText(tr("Computing the templates of layer %1 up to lag %2…").arg(layer + 1).arg(max_lag));
  QPointer<PositionalTemplatesView> self(this);
  auto engine = engine_;
  QThreadPool::globalInstance()->start([self, engine, layer, max_lag, generation] {
    QElapsedTimer timer;
    timer.start();
    PositionalTemplates t;
    QString error;
    try {
      t = engine->positionalTemplates(layer, max_lag);
    } catch (const std::exception& e) {
      error = QString::fromUtf8(e.what()).simplified();
    }
    const double seconds = double(timer.elapsed()) / 1000.0;
    QMetaObject::invokeMethod(
        qApp,
        [self, t = std::move(t), error, seconds, generation]() mutable {
          if (!self) return;
          self->running_ = false;
          if (generation != self->generation_ ||
              self->pending_) {  // superseded: compute what the controls say now
            self->refresh();
            return;
          }
          if (!error.isEmpty()) {
            self->shown_.reset();
            self->ape_image_ = QImage();
            self->replot();
            self->status_->setText(error);
            self->updateControls();
            Q_EMIT self->errorOccurred(error);
            return;
          }
          self->shown_ = std::move(t);
          const PositionalTemplates& s = *self->shown_;
          QString text;
          if (s.isApe()) {
            text = tr("%1 · APE ⟨p_i, p_j⟩, positions 0–%2 (every %3) · dashed: training length · %4 s")
                       .arg(self->model_name_)
                       .arg(s.ape_positions - 1)
                       .arg(s.ape_step)
                       .arg(seconds, 0, 'f', 2);
          } else {
            text = tr("%1 · %2%3 · R = %4 · %5 s")
                       .arg(self->model_name_, pe_name(s.pe), s.gated ? tr(", gated") : QString())
                       .arg(s.realizations)
                       .arg(seconds, 0, 'f', 2);
          }
          self->status_->setText(text);
          self->replot();
          self->updateControls();
          Q_EMIT self->templatesReady();
        },
        Qt::QueuedConnection);
  });
}

QImage PositionalTemplatesView::apeImage(const PositionalTemplates& t) {
  if (!t.isApe() || t.ape_size <= 0) return {};
  const auto [lo, hi] = std::minmax_element(t.ape_dot_products.begin(), t.ape_dot_products.end());
  const double min = *lo, range = double(*hi) - double(*lo);
  QImage image(int(t.ape_size), int(t.ape_size), QImage::Format_RGB32);
  for (std::int64_t r = 0; r < t.ape_size; ++r)
    for (std::int64_t c = 0; c < t.ape_size; ++c) {
      const plot::Rgb rgb = plot::heat_colour(range > 0 ? (double(t.apeAt(r, c)) - min) / range : 0.0);
      image.setPixel(int(c), int(r), qRgb(rgb.r, rgb.g, rgb.b));
    }
  return image;
}

void PositionalTemplatesView::showApe() {
  ape_image_ = apeImage(*shown_);
  QPixmap shown = QPixmap::fromImage(
      ape_image_.scaled(kApeDisplaySide, kApeDisplaySide, Qt::IgnoreAspectRatio, Qt::FastTransformation));
  const PositionalTemplates& t = *shown_;
  if (t.train_len > 0 && t.train_len < t.ape_positions) {  // the training length on both axes
    QPainter painter(&shown);
    QPen pen(piano_roll_colors().training_marker, 1.5, Qt::DashLine);
    painter.setPen(pen);
    const double at = double(t.train_len) / double(t.ape_size * t.ape_step) * kApeDisplaySide;
    painter.drawLine(QPointF(at, 0), QPointF(at, kApeDisplaySide));
    painter.drawLine(QPointF(0, at), QPointF(kApeDisplaySide, at));
  }
  ape_label_->setPixmap(shown);
  ape_label_->setToolTip(tr("Row i, column j: ⟨p_i, p_j⟩ of the positional encoding, min-max normalised"));
  pages_->setCurrentWidget(ape_label_);
}

void PositionalTemplatesView::replot() {
  for (QAbstractSeries* s : chart_->series()) static_cast<QLineSeries*>(s)->clear();
  if (!shown_) return;
  if (shown_->isApe()) return showApe();
  ape_image_ = QImage();
  pages_->setCurrentWidget(chart_view_);
  const PositionalTemplates& t = *shown_;
  const int h = std::clamp(head(), 0, std::max(0, t.heads - 1));
  const bool estimated = show_estimated_->isChecked() && !t.estimated.empty();
  double lo = std::numeric_limits<double>::max(), hi = std::numeric_limits<double>::lowest();
  auto fill = [&](QLineSeries* s, auto&& value) {
    QList<QPointF> points;
    points.reserve(qsizetype(t.lags()));
    for (std::int64_t lag = 0; lag < t.lags(); ++lag) {
      const double v = value(lag);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      points.append(QPointF(double(lag), v));
    }
    s->replace(points);
  };
  {
    const QSignalBlocker block(feature_);
    feature_->setRange(0, t.dims);
  }
  const std::vector<int> dims = shownDims();
  for (std::size_t i = 0; i < dims.size(); ++i) {
    fill(dims_[i], [&](std::int64_t lag) { return double(t.prescribedAt(h, dims[i], lag)); });
  }
  if (!dims.empty()) {
    QStringList names;
    for (int d : dims) names << QString::number(d + 1);
    dims_[0]->setName(dims.size() == 1 ? tr("dim %1").arg(dims[0] + 1) : tr("%1 dims").arg(dims.size()));
    chart_view_->setToolTip(tr("Bold: the mean over the head's %1 feature dims; thin: dims %2")
                                .arg(t.dims)
                                .arg(names.join(QStringLiteral(", "))));
  }
  fill(mean_prescribed_, [&](std::int64_t lag) { return double(t.meanPrescribed(h, lag)); });
  if (estimated) {
    fill(mean_estimated_, [&](std::int64_t lag) { return double(t.meanEstimated(h, lag)); });
  }
  mean_estimated_->setVisible(estimated);
  if (lo > hi) lo = hi = 0;
  const double pad = std::max(1e-6, 0.05 * (hi - lo));
  y_axis_->setRange(lo - pad, hi + pad);
  x_axis_->setRange(0, double(t.max_lag));
  if (t.train_len > 0 && t.train_len <= t.max_lag)
    training_line_->replace({QPointF(double(t.train_len), lo - pad), QPointF(double(t.train_len), hi + pad)});
  chart_->setTitle(tr("Layer %1, head %2: P(lag), mean of %3 dims").arg(t.layer + 1).arg(h + 1).arg(t.dims));
}

bool PositionalTemplatesView::exportPng(const QString& path, QString* error) {
  if (!shown_) {
    if (error) *error = one_line_file_error(path, tr("no positional templates to export"));
    return false;
  }
  return write_image_atomically(path, shown_->isApe() ? ape_image_ : chart_view_->grab().toImage(), error);
}

bool PositionalTemplatesView::exportCsv(const QString& path, QString* error) const {
  if (!shown_) {
    if (error) *error = one_line_file_error(path, tr("no positional templates to export"));
    return false;
  }
  const PositionalTemplates& t = *shown_;
  QByteArray text;
  char cell[64];
  if (t.isApe()) {
    // One row / column per sampled position: value ⟨p_{r·step}, p_{c·step}⟩ (not normalised).
    text += QStringLiteral("# model=%1 pe=ape positions=%2 step=%3 size=%4 train_len=%5\n")
                .arg(model_name_)
                .arg(t.ape_positions)
                .arg(t.ape_step)
                .arg(t.ape_size)
                .arg(t.train_len)
                .toUtf8();
    for (std::int64_t r = 0; r < t.ape_size; ++r) {
      for (std::int64_t c = 0; c < t.ape_size; ++c) {
        std::snprintf(cell, sizeof cell, "%s%.9g", c ? "," : "", double(t.apeAt(r, c)));
        text += cell;
      }
      text += '\n';
    }
  } else {
    // The shown head: one row per lag; the means over dims, then every dim's prescribed and estimated value.
    const int h = std::clamp(head(), 0, std::max(0, t.heads - 1));
    text += QStringLiteral("# model=%1 pe=%2 gated=%3 layer=%4 head=%5 realizations=%6 train_len=%7\n")
                .arg(model_name_, QString::fromStdString(t.pe))
                .arg(t.gated ? 1 : 0)
                .arg(t.layer)
                .arg(h)
                .arg(t.realizations)
                .arg(t.train_len)
                .toUtf8();
    text += "lag,mean_prescribed,mean_estimated";
    for (int d = 0; d < t.dims; ++d) text += QStringLiteral(",prescribed_d%1,estimated_d%1").arg(d).toUtf8();
    text += '\n';
    for (std::int64_t lag = 0; lag < t.lags(); ++lag) {
      std::snprintf(cell, sizeof cell, "%lld,%.9g,%.9g", static_cast<long long>(lag),
                    double(t.meanPrescribed(h, lag)), double(t.meanEstimated(h, lag)));
      text += cell;
      for (int d = 0; d < t.dims; ++d) {
        std::snprintf(cell, sizeof cell, ",%.9g,%.9g", double(t.prescribedAt(h, d, lag)),
                      double(t.estimatedAt(h, d, lag)));
        text += cell;
      }
      text += '\n';
    }
  }
  return write_file_atomically(path, text, error);
}

}  // namespace spe::ui
