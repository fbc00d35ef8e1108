#include "attention_view.hpp"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPointer>
#include <QPushButton>
#include <QSpinBox>
#include <QThreadPool>
#include <algorithm>
#include <cstdio>
#include <numeric>

#include "attention_heatmap.hpp"
#include "export_file.hpp"

namespace spe::ui {
namespace {

constexpr int kWindowSizes[] = {64, 128, 256, 512, 1024};
constexpr int kDefaultWindow = 512;

}  // namespace

AttentionView::AttentionView(QWidget* parent) : QWidget(parent) {
  // The heatmap (square) at the left, its controls in a column at the right: fits a low, wide dock.
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(6, 6, 6, 6);
  heatmap_ = new AttentionHeatmap(this);
  layout->addWidget(heatmap_, 1);
  auto* side = new QWidget(this);
  side->setMaximumWidth(300);
  auto* controls = new QFormLayout(side);
  controls->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(side);

  layer_ = new QSpinBox(side);
  layer_->setObjectName(QStringLiteral("attentionLayer"));
  layer_->setRange(1, 1);
  controls->addRow(tr("Layer"), layer_);
  head_ = new QComboBox(side);
  head_->setObjectName(QStringLiteral("attentionHead"));
  head_->setToolTip(tr("One attention head, or the mean over the layer's heads"));
  controls->addRow(tr("Head"), head_);
  size_ = new QComboBox(side);
  size_->setObjectName(QStringLiteral("attentionWindow"));
  for (int s : kWindowSizes) size_->addItem(tr("%1 tokens").arg(s), s);
  size_->setCurrentIndex(size_->findData(kDefaultWindow));
  controls->addRow(tr("Window"), size_);
  begin_ = new QSpinBox(side);
  begin_->setObjectName(QStringLiteral("attentionBegin"));
  begin_->setToolTip(tr("First token of the window"));
  begin_->setRange(0, 0);
  controls->addRow(tr("From token"), begin_);
  at_training_ = new QPushButton(tr("At training length"), side);
  at_training_->setObjectName(QStringLiteral("attentionAtTraining"));
  at_training_->setToolTip(tr("Centre the window on the model's training length: SPE keeps its patterns past it"));
  controls->addRow(at_training_);
  auto* exports = new QHBoxLayout;
  export_png_ = new QPushButton(tr("Export PNG…"), side);
  export_csv_ = new QPushButton(tr("Export CSV…"), side);
  exports->addWidget(export_png_);
  exports->addWidget(export_csv_);
  controls->addRow(exports);
  status_ = new QLabel(side);
  status_->setObjectName(QStringLiteral("attentionStatus"));
  status_->setWordWrap(true);
  status_->setToolTip(tr("Click a cell to follow its query token; click a note in the piano roll to centre the window on it"));
  controls->addRow(status_);

  connect(layer_, &QSpinBox::valueChanged, this, &AttentionView::refresh);
  connect(head_, &QComboBox::currentIndexChanged, this, &AttentionView::refresh);
  connect(size_, &QComboBox::currentIndexChanged, this, [this] {
    // Keep the window's centre where it was.
    if (!trace_) return refresh();
    setWindow(begin_->value(), windowSize());
  });
  connect(begin_, &QSpinBox::valueChanged, this, &AttentionView::refresh);
  connect(at_training_, &QPushButton::clicked, this, [this] {
    if (trace_) focusToken(trace_->train_len);
  });
  connect(heatmap_, &AttentionHeatmap::tokenClicked, this, [this](qint64 q) { selectRow(q); });
  auto export_with = [this](const QString& filter, bool png) {
    const QString path = QFileDialog::getSaveFileName(this, png ? tr("Export attention PNG") : tr("Export attention CSV"),
                                                      QString(), filter);
    if (path.isEmpty()) return;
    QString error;
    if (!(png ? exportPng(path, &error) : exportCsv(path, &error))) Q_EMIT errorOccurred(error);
  };
  connect(export_png_, &QPushButton::clicked, this, [export_with] { export_with(tr("PNG image (*.png)"), true); });
  connect(export_csv_, &QPushButton::clicked, this, [export_with] { export_with(tr("CSV (*.csv)"), false); });
  updateControls();
}

AttentionView::~AttentionView() = default;

void AttentionView::setEngine(std::shared_ptr<GenerationEngine> engine) {
  engine_ = std::move(engine);
  const ModelDescription d = engine_ ? engine_->description() : ModelDescription{};
  {
    const QSignalBlocker block_layer(layer_), block_head(head_);
    layer_->setRange(1, std::max(1, d.layers));
    const int head = head_->currentIndex();
    head_->clear();
    head_->addItem(tr("Mean of heads"), -1);
    for (int h = 0; h < d.heads; ++h) head_->addItem(tr("Head %1").arg(h + 1), h);
    head_->setCurrentIndex(std::clamp(head, 0, head_->count() - 1));
  }
  refresh();
}

void AttentionView::setTake(std::shared_ptr<const TokenTrace> trace) {
  trace_ = std::move(trace);
  {
    const QSignalBlocker block(begin_);
    begin_->setRange(0, trace_ ? int(std::max<std::size_t>(trace_->size(), 1) - 1) : 0);
  }
  heatmap_->setMap({}, nullptr);
  if (trace_) {
    // Start where SPE and APE part ways: around the training length when the take reaches it, else the end.
    const auto n = std::int64_t(trace_->size());
    const auto anchor = trace_->train_len > 0 && trace_->train_len < n ? trace_->train_len : n - 1;
    pending_select_ = -1;
    setWindow(anchor - windowSize() / 2, windowSize());
  } else {
    refresh();
  }
}

std::int64_t AttentionView::windowSize() const { return size_->currentData().toInt(); }
std::int64_t AttentionView::windowBegin() const { return begin_->value(); }

void AttentionView::setWindow(std::int64_t begin, std::int64_t size) {
  const int index = size_->findData(int(size));
  {
    const QSignalBlocker block_size(size_), block_begin(begin_);
    if (index >= 0) size_->setCurrentIndex(index);
    const std::int64_t n = trace_ ? std::int64_t(trace_->size()) : 0;
    begin_->setValue(int(std::clamp<std::int64_t>(begin, 0, std::max<std::int64_t>(0, n - windowSize()))));
  }
  refresh();
}

void AttentionView::setLayer(int layer) { layer_->setValue(layer + 1); }

void AttentionView::setHead(int head) {
  const int index = head_->findData(head);
  if (index >= 0) head_->setCurrentIndex(index);
}

void AttentionView::focusToken(std::int64_t position) {
  if (!trace_ || position < 0 || position >= std::int64_t(trace_->size())) return;
  const std::int64_t w = windowSize();
  const bool inside = heatmap_->hasMap() && position >= heatmap_->map().begin && position < heatmap_->map().end;
  if (inside && !running_) {
    selectRow(position);
    return;
  }
  pending_select_ = position;
  setWindow(position - w / 2, w);
}

QString AttentionView::statusText() const { return status_->text(); }

void AttentionView::updateControls() {
  const bool usable = engine_ && trace_;
  for (QWidget* w : std::initializer_list<QWidget*>{layer_, head_, size_, begin_, at_training_}) w->setEnabled(usable);
  at_training_->setEnabled(usable && trace_->train_len > 0 && trace_->train_len < std::int64_t(trace_->size()));
  export_png_->setEnabled(heatmap_->hasMap());
  export_csv_->setEnabled(heatmap_->hasMap());
}

void AttentionView::refresh() {
  updateControls();
  if (!trace_) {
    status_->setText(tr("Select a take to see the attention its model paid."));
    return;
  }
  if (!engine_) {
    status_->setText(tr("Load a model to compute attention."));
    return;
  }
  if (trace_->model_id != engine_->description().id && !engine_->description().id.empty()) {
    heatmap_->setMap({}, nullptr);
    status_->setText(tr("This take was made by %1; load that model to see its attention.")
                         .arg(QString::fromStdString(trace_->model_id)));
    updateControls();
    return;
  }
  if (running_) {
    pending_ = true;
    return;
  }
  startJob();
}

void AttentionView::startJob() {
  running_ = true;
  pending_ = false;
  const std::int64_t n = std::int64_t(trace_->size());
  const std::int64_t begin = std::clamp<std::int64_t>(begin_->value(), 0, std::max<std::int64_t>(0, n - 1));
  const std::int64_t end = std::min(n, begin + windowSize());
  const int layer = layer_->value() - 1;
  const int head = head_->currentData().isValid() ? head_->currentData().toInt() : -1;
  status_->setText(tr("Computing layer %1, %2, tokens %3–%4…")
                       .arg(layer + 1)
                       .arg(head < 0 ? tr("mean of heads") : tr("head %1").arg(head + 1))
                       .arg(begin)
                       .arg(end - 1));
  QPointer<AttentionView> self(this);
  auto engine = engine_;
  auto trace = trace_;
  QThreadPool::globalInstance()->start([self, engine, trace, layer, head, begin, end] {
    QElapsedTimer timer;
    timer.start();
    AttentionMap map;
    QString error;
    try {
      map = engine->attention(*trace, layer, head, begin, end);
    } catch (const std::exception& e) {
      error = QString::fromUtf8(e.what()).simplified();
    }
    const double seconds = double(timer.elapsed()) / 1000.0;
    QMetaObject::invokeMethod(qApp, [self, trace, map = std::move(map), error, seconds]() mutable {
      if (!self) return;
      self->running_ = false;
      if (self->pending_ || trace != self->trace_) {  // superseded: compute what the controls say now
        self->refresh();
        return;
      }
      if (!error.isEmpty()) {
        self->heatmap_->setMap({}, nullptr);
        self->status_->setText(error);
        self->updateControls();
        Q_EMIT self->errorOccurred(error);
        return;
      }
      const std::int64_t b = map.begin, e = map.end;
      const int l = map.layer, h = map.head;
      self->heatmap_->setMap(std::move(map), trace);
      QString text = tr("Layer %1, %2, tokens %3–%4 (bars %5–%6) · %7 s")
                         .arg(l + 1)
                         .arg(h < 0 ? tr("mean of heads") : tr("head %1").arg(h + 1))
                         .arg(b)
                         .arg(e - 1)
                         .arg(trace->bar[std::size_t(b)] + 1)
                         .arg(trace->bar[std::size_t(e - 1)] + 1)
                         .arg(seconds, 0, 'f', 2);
      if (trace->train_len > b && trace->train_len < e)
        text += tr(" · dashed: training length (%1 tokens)").arg(trace->train_len);
      else if (b >= trace->train_len && trace->train_len > 0)
        text += tr(" · past the training length (%1 tokens)").arg(trace->train_len);
      self->status_->setText(text);
      self->updateControls();
      const std::int64_t select = self->pending_select_;
      self->pending_select_ = -1;
      if (select >= b && select < e) self->selectRow(select);
      Q_EMIT self->mapReady();
    }, Qt::QueuedConnection);
  });
}

QList<qint64> AttentionView::strongestKeys(std::int64_t query, int count) const {
  QList<qint64> keys;
  const AttentionMap& m = heatmap_->map();
  if (!heatmap_->hasMap() || query < m.begin || query >= m.end) return keys;
  const std::int64_t row = query - m.begin;
  std::vector<std::int64_t> cols(std::size_t(row + 1));
  std::iota(cols.begin(), cols.end(), 0);
  const auto k = std::min<std::size_t>(cols.size(), std::size_t(std::max(0, count)));
  std::partial_sort(cols.begin(), cols.begin() + std::ptrdiff_t(k), cols.end(),
                    [&](std::int64_t a, std::int64_t b) { return m.at(row, a) > m.at(row, b); });
  for (std::size_t i = 0; i < k; ++i) keys.push_back(m.begin + cols[i]);
  return keys;
}

void AttentionView::selectRow(std::int64_t query) {
  heatmap_->setSelectedToken(query);
  Q_EMIT attendedTokens(query, strongestKeys(query, 8));
}

bool AttentionView::exportPng(const QString& path, QString* error) const {
  if (!heatmap_->hasMap()) {
    if (error) *error = one_line_file_error(path, tr("no attention map to export"));
    return false;
  }
  return write_image_atomically(path, heatmap_->image(), error);
}

bool AttentionView::exportCsv(const QString& path, QString* error) const {
  if (!heatmap_->hasMap() || !trace_) {
    if (error) *error = one_line_file_error(path, tr("no attention map to export"));
    return false;
  }
  const AttentionMap& m = heatmap_->map();
  QByteArray text;
  text += QStringLiteral("# model=%1 layer=%2 head=%3 begin=%4 end=%5 train_len=%6\n")
              .arg(QString::fromStdString(trace_->model_id))
              .arg(m.layer)
              .arg(m.head < 0 ? QStringLiteral("mean") : QString::number(m.head))
              .arg(m.begin)
              .arg(m.end)
              .arg(trace_->train_len)
              .toUtf8();
  char cell[32];
  for (std::int64_t r = 0; r < m.size(); ++r) {
    for (std::int64_t c = 0; c < m.size(); ++c) {
      std::snprintf(cell, sizeof cell, "%s%.9g", c ? "," : "", c <= r ? double(m.at(r, c)) : 0.0);
      text += cell;
    }
    text += '\n';
  }
  return write_file_atomically(path, text, error);
}

}  // namespace spe::ui
