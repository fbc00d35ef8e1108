#include "evaluation_view.hpp"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QThreadPool>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <exception>
#include <tuple>

#include "chart_style.hpp"
#include "curve_math.hpp"
#include "export_file.hpp"

namespace spe::ui {

EvaluationView::EvaluationView(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);

  auto* row = new QHBoxLayout;
  folder_ = new QLineEdit(this);
  folder_->setObjectName(QStringLiteral("evaluationFolder"));
  folder_->setPlaceholderText(tr("Folder of MIDI files"));
  choose_ = new QPushButton(tr("Folder…"), this);
  row->addWidget(folder_, 1);
  row->addWidget(choose_);
  auto* row2 = new QHBoxLayout;
  row2->addWidget(new QLabel(tr("Length"), this));
  length_ = new QSpinBox(this);
  length_->setObjectName(QStringLiteral("evaluationLength"));
  length_->setRange(0, 1 << 20);
  length_->setSingleStep(256);
  length_->setSpecialValueText(tr("4 × training"));
  length_->setSuffix(tr(" tokens"));
  length_->setToolTip(tr("Positions evaluated in each song (0: four times the model's training length)"));
  row2->addWidget(length_);
  row2->addWidget(new QLabel(tr("Bucket"), this));
  bucket_ = new QSpinBox(this);
  bucket_->setRange(1, 1 << 16);
  bucket_->setValue(32);
  bucket_->setToolTip(tr("Positions per plotted point (spe eval --bucket)"));
  row2->addWidget(bucket_);
  row2->addWidget(new QLabel(tr("Files"), this));
  max_files_ = new QSpinBox(this);
  max_files_->setRange(0, 100000);
  max_files_->setValue(20);
  max_files_->setSpecialValueText(tr("all"));
  max_files_->setToolTip(tr("Evaluate the first N MIDI files of the folder (sorted by path; 0: all)"));
  row2->addWidget(max_files_);
  start_ = new QPushButton(tr("Start"), this);
  start_->setObjectName(QStringLiteral("evaluationStart"));
  cancel_button_ = new QPushButton(tr("Cancel"), this);
  row->addWidget(start_);
  row->addWidget(cancel_button_);
  layout->addLayout(row);

  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1000);
  progress_->setValue(0);
  progress_->setTextVisible(false);
  status_ = new QLabel(tr("Choose a folder of songs to see the model's loss at every position."), this);
  status_->setObjectName(QStringLiteral("evaluationStatus"));
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  png_ = new QPushButton(tr("Export PNG…"), this);
  csv_ = new QPushButton(tr("Export CSV…"), this);
  row2->addWidget(progress_, 1);
  row2->addWidget(png_);
  row2->addWidget(csv_);
  layout->addLayout(row2);
  layout->addWidget(status_);

  chart_ = make_dark_chart();
  const QColor loss_colour(0xff, 0x8a, 0x65);
  const QColor loss_faint(loss_colour.red(), loss_colour.green(), loss_colour.blue(), 110);
  raw_ = add_line_series(chart_, tr("loss per bucket"), loss_faint, 1.0);
  smooth_ = add_line_series(chart_, tr("loss, mean of %1 buckets").arg(kSmoothing), loss_colour, 2.2);
  training_line_ = add_training_length_marker(chart_, tr("training length"));
  std::tie(x_axis_, y_axis_) = attach_value_axes(chart_, tr("token position in the song"), tr("loss (nats)"));
  view_ = new QChartView(chart_, this);
  view_->setRenderHint(QPainter::Antialiasing);
  view_->setMinimumHeight(160);
  layout->addWidget(view_, 1);

  skipped_ = new QPlainTextEdit(this);
  skipped_->setObjectName(QStringLiteral("evaluationSkipped"));
  skipped_->setReadOnly(true);
  skipped_->setMaximumHeight(54);
  skipped_->setVisible(false);
  layout->addWidget(skipped_);

  connect(choose_, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder of songs to evaluate"), folder_->text());
    if (!dir.isEmpty()) folder_->setText(QDir::toNativeSeparators(dir));
  });
  connect(start_, &QPushButton::clicked, this, [this] { start(folder_->text()); });
  connect(folder_, &QLineEdit::returnPressed, this, [this] { start(folder_->text()); });
  connect(cancel_button_, &QPushButton::clicked, this, &EvaluationView::cancel);
  connect(png_, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export loss vs position PNG"), QString(), tr("PNG image (*.png)"));
    QString error;
    if (!path.isEmpty() && !exportPng(path, &error)) Q_EMIT errorOccurred(error);
  });
  connect(csv_, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export loss vs position CSV"), QString(), tr("CSV (*.csv)"));
    QString error;
    if (!path.isEmpty() && !exportCsv(path, &error)) Q_EMIT errorOccurred(error);
  });
  replot();
  updateControls();
}

EvaluationView::~EvaluationView() {
  if (cancel_) cancel_->store(true);  // the worker stops after its song; its result finds no view
}

void EvaluationView::setEngine(std::shared_ptr<GenerationEngine> engine) {
  engine_ = std::move(engine);
  updateControls();
}

void EvaluationView::setLength(int tokens) { length_->setValue(tokens); }
void EvaluationView::setBucket(int positions) { bucket_->setValue(positions); }
void EvaluationView::setMaxFiles(int files) { max_files_->setValue(files); }

EvaluationRequest EvaluationView::request() const {
  EvaluationRequest r;
  r.folder = QDir::fromNativeSeparators(folder_->text().trimmed()).toStdString();
  r.length = length_->value();
  r.bucket = bucket_->value();
  r.max_files = max_files_->value();
  return r;
}

QString EvaluationView::statusText() const { return status_->text(); }

QStringList EvaluationView::skipped() const {
  QStringList out;
  for (const auto& s : curve_.skipped) out << QString::fromStdString(s);
  return out;
}

bool EvaluationView::start(const QString& folder) {
  if (running_) {
    status_->setText(tr("An evaluation is already running: cancel it first."));
    return false;
  }
  if (!engine_) {
    status_->setText(tr("Load a model first."));
    return false;
  }
  folder_->setText(folder);
  const EvaluationRequest req = request();
  if (req.folder.empty()) {
    status_->setText(tr("Choose a folder of MIDI files first."));
    return false;
  }
  running_ = true;
  last_cancelled_ = false;
  cancel_ = std::make_shared<std::atomic<bool>>(false);
  const int job = ++job_;
  progress_->setValue(0);
  status_->setText(tr("Evaluating %1…").arg(QFileInfo(folder).fileName()));
  updateControls();

  QPointer<EvaluationView> self(this);
  auto engine = engine_;
  auto cancel = cancel_;
  QThreadPool::globalInstance()->start([self, engine, cancel, req, job] {
    EvaluationCurve curve;
    QString error;
    try {
      curve = engine->evaluate(
          req,
          [self, job](double fraction) {
            QMetaObject::invokeMethod(qApp, [self, job, fraction] {
              if (self && self->job_ == job && self->running_) self->progress_->setValue(int(std::lround(fraction * 1000)));
            }, Qt::QueuedConnection);
          },
          [cancel] { return cancel->load(); });
    } catch (const std::exception& e) {
      error = QString::fromUtf8(e.what()).simplified();
      if (error.isEmpty()) error = QStringLiteral("evaluation failed");
    }
    QMetaObject::invokeMethod(qApp, [self, job, curve = std::move(curve), error]() mutable {
      if (!self || self->job_ != job) return;
      self->finish(std::move(curve), error);
    }, Qt::QueuedConnection);
  });
  return true;
}

void EvaluationView::cancel() {
  if (!running_ || !cancel_) return;
  cancel_->store(true);
  status_->setText(tr("Cancelling after the current song…"));
  cancel_button_->setEnabled(false);
}

void EvaluationView::finish(EvaluationCurve curve, const QString& error) {
  running_ = false;
  cancel_.reset();
  const std::vector<std::string> skipped = curve.skipped;
  if (!error.isEmpty()) {
    curve_ = {};
    status_->setText(error);
    Q_EMIT errorOccurred(error);
  } else if (curve.cancelled) {
    curve_ = {};
    curve_.skipped = skipped;
    last_cancelled_ = true;
    progress_->setValue(0);
    status_->setText(tr("Cancelled."));
  } else {
    curve_ = std::move(curve);
    progress_->setValue(1000);
    const auto& c = curve_;
    QString text = tr("%1 songs, positions < %2 · trained (pos < %3): %4 ± %5 nats")
                       .arg(c.files)
                       .arg(c.length)
                       .arg(c.train_len)
                       .arg(c.trained_mean, 0, 'f', 4)
                       .arg(c.trained_std, 0, 'f', 4);
    if (c.extrapolated_tokens > 0)
      text += tr(" · extrapolation (pos ≥ %1): %2 ± %3 · ratio %4")
                  .arg(c.train_len)
                  .arg(c.extrapolated_mean, 0, 'f', 4)
                  .arg(c.extrapolated_std, 0, 'f', 4)
                  .arg(c.ratio(), 0, 'f', 3);
    else
      text += tr(" · no song reaches the training length %1").arg(c.train_len);
    status_->setText(text);
  }
  skipped_->setPlainText(skipped.empty() ? QString()
                                         : tr("Skipped %1 file(s):\n").arg(skipped.size()) +
                                               QString::fromStdString([&] {
                                                 std::string all;
                                                 for (const auto& s : skipped) all += s + "\n";
                                                 return all;
                                               }()).trimmed());
  skipped_->setVisible(!skipped.empty());
  replot();
  updateControls();
  Q_EMIT finished();
}

void EvaluationView::updateControls() {
  start_->setEnabled(!running_ && engine_ != nullptr);
  cancel_button_->setEnabled(running_ && cancel_ && !cancel_->load());
  choose_->setEnabled(!running_);
  for (QWidget* w : std::initializer_list<QWidget*>{folder_, length_, bucket_, max_files_}) w->setEnabled(!running_);
  png_->setEnabled(hasCurve());
  csv_->setEnabled(hasCurve());
}

void EvaluationView::replot() {
  const auto& c = curve_;
  QList<QPointF> raw, smooth;
  std::vector<double> centre(c.position.size());
  for (std::size_t i = 0; i < centre.size(); ++i) centre[i] = 0.5 * (c.position[i] + c.end[i]);
  const auto avg = moving_average(c.loss, kSmoothing);
  for (std::size_t i = 0; i < centre.size(); ++i) {
    raw.push_back({centre[i], c.loss[i]});
    smooth.push_back({centre[i], avg[i]});
  }
  raw_->replace(raw);
  smooth_->replace(smooth);
  double top = 1.0, bottom = 0.0;
  if (!c.loss.empty()) {
    const auto [lo, hi] = std::minmax_element(c.loss.begin(), c.loss.end());
    top = std::ceil(*hi * 1.1 * 2) / 2;
    bottom = std::max(0.0, std::floor(*lo * 0.9 * 2) / 2);
  }
  const double last = c.end.empty() ? 1.0 : std::max(c.end.back(), double(c.train_len) + 1);
  x_axis_->setRange(0.0, last);
  y_axis_->setRange(bottom, top);
  y_axis_->applyNiceNumbers();
  top = y_axis_->max();
  bottom = y_axis_->min();
  if (c.train_len > 0 && !c.empty())
    training_line_->replace({QPointF(double(c.train_len), bottom), QPointF(double(c.train_len), top)});
  else
    training_line_->clear();
}

bool EvaluationView::exportCsv(const QString& path, QString* error) const {
  if (!hasCurve()) {
    if (error) *error = one_line_file_error(path, tr("no loss curve to export"));
    return false;
  }
  return write_file_atomically(path, QByteArray::fromStdString(curve_.csv), error);
}

bool EvaluationView::exportPng(const QString& path, QString* error) {
  if (!hasCurve()) {
    if (error) *error = one_line_file_error(path, tr("no loss curve to export"));
    return false;
  }
  return write_image_atomically(path, view_->grab().toImage(), error);
}

}  // namespace spe::ui
