#include "compare_view.hpp"

#include <QChart>
#include <QChartView>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QThread>
#include <QValueAxis>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>

#include "chart_style.hpp"
#include "curve_math.hpp"
#include "export_file.hpp"
#include "generation_controller.hpp"
#include "model_catalog.hpp"
#include "piano_roll_view.hpp"
#include "track_palette.hpp"

namespace spe::ui {

struct CompareView::Lane {
  QString folder, name;
  std::int64_t train_len = 0;
  std::shared_ptr<GenerationEngine> engine;
  GenerationController* controller = nullptr;  // child of the view: destroyed (cancelled, joined) with it
  QWidget* row = nullptr;
  QLabel* title = nullptr;
  QProgressBar* progress = nullptr;
  QPushButton* play = nullptr;
  PianoRollView* roll = nullptr;
  QLineSeries* loss = nullptr;
  QLineSeries* entropy = nullptr;
  std::vector<double> positions, entropy_values, loss_values;
  std::optional<GeneratedTake> take;
  bool started = false, done = false;
};

namespace {

QChart* make_chart(const QString& y_title) {
  QChart* chart = make_dark_chart(2);
  attach_value_axes(chart, QObject::tr("token position"), y_title);
  return chart;
}

QList<QPointF> points(const std::vector<double>& x, const std::vector<double>& y) {
  QList<QPointF> out;
  out.reserve(qsizetype(x.size()));
  for (std::size_t i = 0; i < x.size(); ++i) out.push_back({x[i], y[i]});
  return out;
}

// Range of every axis over every series of the chart (the training lines span the y range).
void fit_axes(QChart* chart, const std::set<std::int64_t>& train_lengths) {
  double x0 = 1e300, x1 = -1e300, top = 1.0;
  for (QAbstractSeries* a : chart->series()) {
    auto* s = static_cast<QLineSeries*>(a);
    if (s->property("trainingLine").toBool()) continue;
    for (const QPointF& p : s->points()) {
      x0 = std::min(x0, p.x()), x1 = std::max(x1, p.x());
      top = std::max(top, p.y());
    }
  }
  if (x0 > x1) x0 = 0, x1 = 1;
  for (auto t : train_lengths) x1 = std::max(x1, double(t));
  top = std::ceil(top * 1.1);
  auto axes = chart->axes(Qt::Horizontal);
  if (!axes.isEmpty()) axes.front()->setRange(x0, std::max(x1, x0 + 1));
  axes = chart->axes(Qt::Vertical);
  if (!axes.isEmpty()) axes.front()->setRange(0.0, top);
  for (QAbstractSeries* a : chart->series()) {
    auto* s = static_cast<QLineSeries*>(a);
    if (!s->property("trainingLine").toBool()) continue;
    const double x = s->property("trainLength").toDouble();
    s->replace({QPointF(x, 0.0), QPointF(x, top)});
  }
}

}  // namespace

CompareView::CompareView(QWidget* parent) : QWidget(parent, Qt::Window) {
  setWindowTitle(tr("Compare models — SPE Studio"));
  resize(1200, 860);
  auto* layout = new QHBoxLayout(this);

  // Left: the models to compare and Start / Stop.
  auto* side = new QWidget(this);
  side->setMaximumWidth(280);
  auto* side_layout = new QVBoxLayout(side);
  side_layout->setContentsMargins(0, 0, 0, 0);
  side_layout->addWidget(new QLabel(tr("Models (2 to %1), same prompt, seed and sampling:").arg(kMaxModels), side));
  model_list_ = new QListWidget(side);
  model_list_->setObjectName(QStringLiteral("compareModels"));
  side_layout->addWidget(model_list_, 1);
  start_button_ = new QPushButton(tr("Generate all"), side);
  start_button_->setObjectName(QStringLiteral("compareStart"));
  stop_button_ = new QPushButton(tr("Stop"), side);
  stop_button_->setEnabled(false);
  side_layout->addWidget(start_button_);
  side_layout->addWidget(stop_button_);
  auto* exports = new QHBoxLayout;
  auto* png = new QPushButton(tr("Export PNG…"), side);
  auto* csv = new QPushButton(tr("Export CSV…"), side);
  exports->addWidget(png);
  exports->addWidget(csv);
  side_layout->addLayout(exports);
  auto export_with = [this](bool as_png) {
    const QString path = QFileDialog::getSaveFileName(this, as_png ? tr("Export comparison PNG") : tr("Export comparison CSV"),
                                                      QString(), as_png ? tr("PNG image (*.png)") : tr("CSV (*.csv)"));
    QString error;
    if (!path.isEmpty() && !(as_png ? exportPng(path, &error) : exportCsv(path, &error))) status_->setText(error);
  };
  connect(png, &QPushButton::clicked, this, [export_with] { export_with(true); });
  connect(csv, &QPushButton::clicked, this, [export_with] { export_with(false); });
  status_ = new QLabel(side);
  status_->setObjectName(QStringLiteral("compareStatus"));
  status_->setWordWrap(true);
  side_layout->addWidget(status_);
  layout->addWidget(side);

  // Right: the lanes (stacked rolls on one time axis) over the curves.
  auto* splitter = new QSplitter(Qt::Vertical, this);
  auto* scroll = new QScrollArea(splitter);
  scroll->setWidgetResizable(true);
  auto* lanes = new QWidget(scroll);
  lanes_layout_ = new QVBoxLayout(lanes);
  lanes_layout_->setContentsMargins(0, 0, 0, 0);
  lanes_layout_->addStretch(1);
  scroll->setWidget(lanes);
  splitter->addWidget(scroll);
  auto* curves = new QWidget(splitter);
  auto* curves_layout = new QHBoxLayout(curves);
  curves_layout->setContentsMargins(0, 0, 0, 0);
  // Moving averages over kSmoothing tokens (the window title says so in the status line).
  loss_chart_ = make_chart(tr("−log p (nats)"));
  entropy_chart_ = make_chart(tr("entropy (nats)"));
  loss_chart_->setTitle(tr("−log p of each sampled token, mean of %1").arg(kSmoothing));
  entropy_chart_->setTitle(tr("entropy of each step, mean of %1").arg(kSmoothing));
  for (QChart* chart : {loss_chart_, entropy_chart_}) {
    auto* view = new QChartView(chart, curves);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(160);
    curves_layout->addWidget(view);
  }
  splitter->addWidget(curves);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 1);
  splitter->setSizes({600, 260});  // the rolls first: the curves are the summary under them
  layout->addWidget(splitter, 1);

  connect(start_button_, &QPushButton::clicked, this, [this] {
    if (!startChecked()) status_->setText(last_error_);
  });
  connect(stop_button_, &QPushButton::clicked, this, &CompareView::cancel);
}

CompareView::~CompareView() = default;

void CompareView::setCatalog(std::shared_ptr<ModelCatalog> catalog, const QString& device, int threads_per_model) {
  catalog_ = std::move(catalog);
  device_ = device;
  threads_per_model_ = std::max(1, threads_per_model);
  model_list_->clear();
  if (!catalog_) return;
  for (const ModelDescription& d : catalog_->list()) {
    auto* item = new QListWidgetItem(QStringLiteral("%1 — %2").arg(QString::fromStdString(d.name), QString::fromStdString(d.pe)),
                                     model_list_);
    item->setData(Qt::UserRole, QString::fromStdString(d.path));
    item->setToolTip(QString::fromStdString(d.error.empty() ? d.description : d.error));
    if (!d.error.empty()) {
      item->setFlags(item->flags() & ~Qt::ItemIsEnabled);
      continue;
    }
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    // By default the paper's comparison: the bundled REMI models (APE and the SPE variants).
    const bool remi = d.scheme == "remi" && d.source == "bundled";
    item->setCheckState(remi && model_list_->count() <= kMaxModels ? Qt::Checked : Qt::Unchecked);
  }
}

void CompareView::setModelChecked(const QString& folder, bool checked) {
  for (int i = 0; i < model_list_->count(); ++i)
    if (model_list_->item(i)->data(Qt::UserRole).toString() == folder)
      model_list_->item(i)->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
}

void CompareView::setRequest(const GenerationRequest& request) {
  request_ = request;
  request_.candidates = 1;
  request_.reroll.reset();
}

bool CompareView::startChecked() {
  QStringList folders;
  for (int i = 0; i < model_list_->count(); ++i)
    if (model_list_->item(i)->checkState() == Qt::Checked) folders << model_list_->item(i)->data(Qt::UserRole).toString();
  return start(folders);
}

bool CompareView::isRunning() const { return running_ > 0 || std::any_of(lanes_.begin(), lanes_.end(), [](const auto& l) { return !l->done; }); }

bool CompareView::start(const QStringList& folders) {
  if (isRunning()) {
    last_error_ = tr("A comparison is running: stop it first");
    return false;
  }
  if (folders.size() < kMinModels || folders.size() > kMaxModels) {
    last_error_ = tr("Choose %1 to %2 models to compare (%3 chosen)").arg(kMinModels).arg(kMaxModels).arg(folders.size());
    return false;
  }
  if (!catalog_) {
    last_error_ = tr("No models to compare");
    return false;
  }
  // Load every engine first: a folder that fails stops the comparison before anything runs.
  std::vector<std::shared_ptr<GenerationEngine>> engines;
  for (const QString& folder : folders) {
    try {
      engines.push_back(catalog_->load(folder.toStdString(), device_.toStdString(), threads_per_model_));
    } catch (const std::exception& e) {
      last_error_ = QString::fromUtf8(e.what()).simplified();
      return false;
    }
  }
  clearLanes();
  for (int i = 0; i < int(folders.size()); ++i) {
    auto lane = std::make_unique<Lane>();
    lane->folder = folders[i];
    lane->engine = engines[std::size_t(i)];
    const ModelDescription d = lane->engine->description();
    lane->name = QString::fromStdString(d.name);
    lane->train_len = d.train_len;
    lane->row = new QWidget;
    auto* row_layout = new QVBoxLayout(lane->row);
    row_layout->setContentsMargins(0, 2, 0, 2);
    auto* header = new QHBoxLayout;
    lane->title = new QLabel(QStringLiteral("<b style='color:%1'>%2</b> · %3 · training length %4")
                                 .arg(track_color(i, false).name(), lane->name, QString::fromStdString(d.pe))
                                 .arg(d.train_len),
                             lane->row);
    lane->progress = new QProgressBar(lane->row);
    lane->progress->setRange(0, 1000);
    lane->progress->setMaximumWidth(220);
    lane->play = new QPushButton(tr("Play"), lane->row);
    lane->play->setEnabled(false);
    header->addWidget(lane->title, 1);
    header->addWidget(lane->progress);
    header->addWidget(lane->play);
    row_layout->addLayout(header);
    lane->roll = new PianoRollView(lane->row);
    lane->roll->setMinimumHeight(150);
    lane->roll->setKeyHeight(4);
    row_layout->addWidget(lane->roll);
    lanes_layout_->insertWidget(lanes_layout_->count() - 1, lane->row);
    lane->loss = add_line_series(loss_chart_, lane->name, track_color(i, false), 2.0);
    lane->entropy = add_line_series(entropy_chart_, lane->name, track_color(i, false), 2.0);

    PianoRollView* roll = lane->roll;
    connect(roll, &PianoRollView::zoomChanged, this, [this, roll] { syncTimeAxis(roll); });
    connect(roll->horizontalScrollBar(), &QScrollBar::valueChanged, this, [this, roll] { syncTimeAxis(roll); });
    connect(lane->play, &QPushButton::clicked, this, [this, i] { Q_EMIT playRequested(i); });
    lanes_.push_back(std::move(lane));
  }
  // One dashed line per training length among the models.
  std::set<std::int64_t> lengths;
  for (const auto& l : lanes_) lengths.insert(l->train_len);
  for (QChart* chart : {loss_chart_, entropy_chart_})
    for (auto t : lengths) {
      QLineSeries* s = add_training_length_marker(chart, tr("training length %1").arg(t), 1.2);
      s->setProperty("trainingLine", true);
      s->setProperty("trainLength", double(t));
    }
  status_->setText(tr("Generating %1 takes, seed %2…").arg(lanes_.size()).arg(request_.seed));
  start_button_->setEnabled(false);
  stop_button_->setEnabled(true);
  startPending();
  return true;
}

void CompareView::startPending() {
  // As many lanes at once as the cores allow, each with its own threads.
  const int parallel = std::max(1, QThread::idealThreadCount() / threads_per_model_);
  for (int i = 0; i < int(lanes_.size()) && running_ < parallel; ++i) {
    Lane& lane = *lanes_[std::size_t(i)];
    if (lane.started) continue;
    lane.started = true;
    lane.controller = new GenerationController(lane.engine, this);
    GenerationController* c = lane.controller;
    PianoRollView* roll = lane.roll;
    connect(c, &GenerationController::promptDecoded, roll, [roll](const music::Score& prompt, music::Tick end) {
      roll->setScore(prompt, /*keep_view=*/true);
      roll->setPromptEndTick(end > 0 ? end : -1);
    });
    connect(c, &GenerationController::notesGenerated, roll,
            [roll](int track, const music::Track& header, const std::vector<music::Note>& notes) {
              if (track < 0) return;
              while (int(roll->score().tracks.size()) <= track) roll->addTrack(header);
              roll->appendNotes(track, notes);
            });
    connect(c, &GenerationController::trainingEndReached, roll, [roll, len = lane.train_len](music::Tick tick) {
      roll->setTrainingMarker(tick, tr("training length (%1 tokens)").arg(len));
    });
    connect(c, &GenerationController::progressChanged, this, [this, i](double fraction, qulonglong tokens, double rate, double) {
      Lane& l = *lanes_[std::size_t(i)];
      l.progress->setValue(int(fraction * 1000));
      l.progress->setFormat(tr("%1 tok · %2/s").arg(tokens).arg(rate, 0, 'f', 0));
    });
    connect(c, &GenerationController::scoresGenerated, this,
            [this, i](qulonglong first, const std::vector<float>& entropy, const std::vector<float>& log_prob) {
              Lane& l = *lanes_[std::size_t(i)];
              for (std::size_t k = 0; k < std::min(entropy.size(), log_prob.size()); ++k) {
                l.positions.push_back(double(first + k));
                l.entropy_values.push_back(entropy[k]);
                l.loss_values.push_back(-double(log_prob[k]));
              }
              updateCurves(i);
            });
    connect(c, &GenerationController::finished, this, [this, i](const GenerationOutcome& o) { onLaneFinished(i, o); });
    connect(c, &GenerationController::failed, this, [this, i](const QString& m) { onLaneFailed(i, m); });
    ++running_;
    c->start(request_);
  }
}

void CompareView::onLaneFinished(int i, const GenerationOutcome& outcome) {
  Lane& lane = *lanes_[std::size_t(i)];
  --running_;
  lane.done = true;
  lane.progress->setValue(1000);
  if (!outcome.takes.empty()) {
    lane.take = outcome.takes.front();
    lane.roll->setScore(lane.take->score, /*keep_view=*/true);
    lane.roll->setPromptEndTick(lane.take->prompt_end > 0 ? lane.take->prompt_end : -1);
    lane.roll->setTrainingMarker(lane.take->training_end, tr("training length (%1 tokens)").arg(lane.train_len));
    // The finished trace is the reference for the curves (the live values were the same, streamed).
    if (const auto& t = lane.take->trace) {
      lane.positions.clear(), lane.entropy_values.clear(), lane.loss_values.clear();
      for (std::size_t k = 0; k < std::min(t->entropy.size(), t->log_prob.size()); ++k) {
        lane.positions.push_back(double(t->prompt_length + k));
        lane.entropy_values.push_back(t->entropy[k]);
        lane.loss_values.push_back(-double(t->log_prob[k]));
      }
      updateCurves(i);
    }
    lane.play->setEnabled(true);
    Q_EMIT takeReady(i, *lane.take, lane.name);
  }
  if (lane.take && i == 0) lane.roll->scrollToTick(std::max<music::Tick>(0, lane.take->prompt_end - lane.take->score.ticks_per_beat * 4));
  syncTimeAxis(lanes_.front()->roll);  // every roll shows where the continuation starts, on one axis
  startPending();
  if (running_ == 0 && std::all_of(lanes_.begin(), lanes_.end(), [](const auto& l) { return l->done; })) {
    start_button_->setEnabled(true);
    stop_button_->setEnabled(false);
    status_->setText(outcome.cancelled ? tr("Stopped: the takes so far are kept") : tr("Done: %1 takes with seed %2").arg(lanes_.size()).arg(request_.seed));
    Q_EMIT allFinished();
  }
}

void CompareView::onLaneFailed(int i, const QString& message) {
  Lane& lane = *lanes_[std::size_t(i)];
  --running_;
  lane.done = true;
  lane.title->setText(lane.title->text() + tr(" — failed: %1").arg(message));
  startPending();
  if (running_ == 0 && std::all_of(lanes_.begin(), lanes_.end(), [](const auto& l) { return l->done; })) {
    start_button_->setEnabled(true);
    stop_button_->setEnabled(false);
    status_->setText(tr("Finished with errors"));
    Q_EMIT allFinished();
  }
}

void CompareView::cancel() {
  for (auto& lane : lanes_) {
    if (lane->controller && lane->controller->isRunning()) lane->controller->cancel();
    if (!lane->started) lane->started = lane->done = true;  // never started: nothing to wait for
  }
  if (running_ == 0 && !lanes_.empty()) {
    start_button_->setEnabled(true);
    stop_button_->setEnabled(false);
    status_->setText(tr("Stopped: the takes so far are kept"));
    Q_EMIT allFinished();
  }
}

void CompareView::updateCurves(int i) {
  Lane& lane = *lanes_[std::size_t(i)];
  lane.loss->replace(points(lane.positions, moving_average(lane.loss_values, kSmoothing)));
  lane.entropy->replace(points(lane.positions, moving_average(lane.entropy_values, kSmoothing)));
  std::set<std::int64_t> lengths;
  for (const auto& l : lanes_) lengths.insert(l->train_len);
  fit_axes(loss_chart_, lengths);
  fit_axes(entropy_chart_, lengths);
}

void CompareView::syncTimeAxis(PianoRollView* source) {
  if (syncing_) return;
  syncing_ = true;
  for (const auto& lane : lanes_) {
    if (lane->roll == source) continue;
    lane->roll->setPixelsPerBeat(source->pixelsPerBeat());
    lane->roll->horizontalScrollBar()->setValue(source->horizontalScrollBar()->value());
  }
  syncing_ = false;
}

void CompareView::clearLanes() {
  for (auto& lane : lanes_) {
    delete lane->controller;  // cancels and joins a running worker
    delete lane->row;
  }
  lanes_.clear();
  running_ = 0;
  for (QChart* chart : {loss_chart_, entropy_chart_}) chart->removeAllSeries();
}

bool CompareView::exportCsv(const QString& path, QString* error) const {
  QByteArray text = "lane,model,position,entropy_nats,neg_log_prob_nats\n";
  char line[160];
  for (std::size_t i = 0; i < lanes_.size(); ++i) {
    const Lane& l = *lanes_[i];
    const QByteArray model = l.name.toUtf8();
    for (std::size_t k = 0; k < l.positions.size(); ++k) {
      std::snprintf(line, sizeof line, "%zu,%s,%.0f,%.9g,%.9g\n", i, model.constData(), l.positions[k],
                    l.entropy_values[k], l.loss_values[k]);
      text += line;
    }
  }
  return write_file_atomically(path, text, error);
}

bool CompareView::exportPng(const QString& path, QString* error) {
  return write_image_atomically(path, grab().toImage(), error);
}

PianoRollView* CompareView::laneRoll(int lane) const { return lanes_.at(std::size_t(lane))->roll; }
QString CompareView::laneModelName(int lane) const { return lanes_.at(std::size_t(lane))->name; }
const GeneratedTake* CompareView::laneTake(int lane) const {
  const auto& t = lanes_.at(std::size_t(lane))->take;
  return t ? &*t : nullptr;
}
QPushButton* CompareView::lanePlayButton(int lane) const { return lanes_.at(std::size_t(lane))->play; }
QLineSeries* CompareView::lossSeries(int lane) const { return lanes_.at(std::size_t(lane))->loss; }
QLineSeries* CompareView::entropySeries(int lane) const { return lanes_.at(std::size_t(lane))->entropy; }

}  // namespace spe::ui
