// MainWindow: models, generation, takes and re-rolls (the window's layout and files are in main_window.cpp).
#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QScrollArea>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QTreeWidget>
#include <QUndoStack>
#include <algorithm>
#include <exception>

#include "generation_controller.hpp"
#include "generation_panel.hpp"
#include "main_window.hpp"
#include "model_catalog.hpp"
#include "model_panel.hpp"
#include "piano_roll_view.hpp"
#include "prompt_panel.hpp"
#include "take.hpp"
#include "takes_panel.hpp"
#include "timeline.hpp"

namespace spe::ui {
namespace {

const char* const kModelPathKey = "model/path";
const char* const kDeviceKey = "model/device";
const char* const kThreadsKey = "model/threads";
const char* const kAddedModelsKey = "model/addedFolders";
const char* const kLengthKey = "generation/length";
const char* const kLengthUnitKey = "generation/lengthUnit";

std::vector<std::string> to_std(const QStringList& list) {
  std::vector<std::string> out;
  for (const auto& s : list) out.push_back(s.toStdString());
  return out;
}

}  // namespace

void MainWindow::createDocks() {
  auto dock = [this](const QString& title, const QString& name, QWidget* widget, Qt::DockWidgetArea area) {
    auto* d = new QDockWidget(title, this);
    d->setObjectName(name);
    // A scroll area lets the docks shrink below their panels' natural height on small screens.
    auto* scroll = new QScrollArea(d);
    scroll->setWidget(widget);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    d->setWidget(scroll);
    d->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
    addDockWidget(area, d);
    menuBar()->findChild<QMenu*>(QStringLiteral("viewMenu"))->addAction(d->toggleViewAction());
    return d;
  };
  model_panel_ = new ModelPanel(this);
  dock(tr("Model"), QStringLiteral("modelDock"), model_panel_, Qt::LeftDockWidgetArea);
  generation_panel_ = new GenerationPanel(this);
  dock(tr("Generation"), QStringLiteral("generationDock"), generation_panel_, Qt::RightDockWidgetArea);
  takes_panel_ = new TakesPanel(this);
  dock(tr("Takes"), QStringLiteral("takesDock"), takes_panel_, Qt::RightDockWidgetArea);

  QSettings settings;
  generation_panel_->setLength(LengthUnit(settings.value(kLengthUnitKey, int(LengthUnit::Bars)).toInt()),
                               settings.value(kLengthKey, 32).toDouble());
  model_panel_->setThreads(settings.value(kThreadsKey, 2).toInt());
  generation_panel_->setReady(false, tr("Load a model first"));

  connect(generation_panel_, &GenerationPanel::generateRequested, this, &MainWindow::generate);
  connect(generation_panel_, &GenerationPanel::stopRequested, this, &MainWindow::stopGeneration);
  connect(model_panel_, &ModelPanel::loadRequested, this, &MainWindow::loadModel);
  connect(model_panel_, &ModelPanel::addFolderRequested, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Add a model folder (holding model.json)"));
    if (dir.isEmpty() || !catalog_) return;
    QSettings s;
    QStringList added = s.value(kAddedModelsKey).toStringList();
    if (!added.contains(dir)) added << dir;
    s.setValue(kAddedModelsKey, added);
    catalog_->setAddedFolders(to_std(added));
    model_panel_->setModels(catalog_->list());
    loadModel(dir);
  });
  connect(model_panel_, &ModelPanel::removeFolderRequested, this, [this](const QString& dir) {
    QSettings s;
    QStringList added = s.value(kAddedModelsKey).toStringList();
    added.removeAll(dir);
    s.setValue(kAddedModelsKey, added);
    if (!catalog_) return;
    catalog_->setAddedFolders(to_std(added));
    model_panel_->setModels(catalog_->list());
  });
  connect(takes_panel_, &TakesPanel::currentTakeChanged, this, &MainWindow::showTake);
  connect(takes_panel_, &TakesPanel::changed, this, &MainWindow::scheduleAutosave);
  connect(takes_panel_, &TakesPanel::exportMidiRequested, this, [this](const QString& id) {
    takes_panel_->select(id);
    exportMidiDialog();
  });

  // Edit ▸ Undo / Redo act on the takes (delete is the undoable change).
  QMenu* edit = new QMenu(tr("&Edit"), this);
  edit->setObjectName(QStringLiteral("editMenu"));
  QAction* undo = takes_panel_->undoStack()->createUndoAction(this, tr("&Undo"));
  undo->setShortcut(QKeySequence::Undo);
  undo->setObjectName(QStringLiteral("undoAction"));
  QAction* redo = takes_panel_->undoStack()->createRedoAction(this, tr("&Redo"));
  redo->setShortcut(QKeySequence::Redo);
  edit->addAction(undo);
  edit->addAction(redo);
  menuBar()->insertMenu(menuBar()->actions().value(1), edit);

  piano_roll_->setContextMenuPolicy(Qt::CustomContextMenu);
  connect(piano_roll_, &QWidget::customContextMenuRequested, this, &MainWindow::showRollContextMenu);
  QToolBar* bar = findChild<QToolBar*>(QStringLiteral("mainToolBar"));
  bar->addSeparator();
  bar->addAction(generate_action_);
  bar->addAction(stop_action_);
  generate_action_->setIcon(style()->standardIcon(QStyle::SP_MediaSeekForward));
  stop_action_->setIcon(style()->standardIcon(QStyle::SP_BrowserStop));
}

// ---- models --------------------------------------------------------------------------------------

void MainWindow::setModelCatalog(std::shared_ptr<ModelCatalog> catalog, const QString& initial) {
  catalog_ = std::move(catalog);
  if (!catalog_) return;
  QSettings settings;
  catalog_->setAddedFolders(to_std(settings.value(kAddedModelsKey).toStringList()));
  std::string why;
  const bool cuda = catalog_->cudaAvailable(&why);
  model_panel_->setCudaAvailable(cuda, QString::fromStdString(why));
  model_panel_->setDevice(settings.value(kDeviceKey, QStringLiteral("cpu")).toString());
  const auto models = catalog_->list();
  model_panel_->setModels(models);
  QString folder = initial;
  if (folder.isEmpty()) folder = settings.value(kModelPathKey).toString();
  const auto known = [&](const QString& f) {
    return std::any_of(models.begin(), models.end(), [&](const auto& m) { return QString::fromStdString(m.path) == f && m.error.empty(); });
  };
  if (folder.isEmpty() || (!known(folder) && initial.isEmpty())) {
    folder.clear();
    for (const auto& m : models)
      if (m.is_default && m.error.empty()) folder = QString::fromStdString(m.path);
    if (folder.isEmpty())
      for (const auto& m : models)
        if (m.error.empty()) {
          folder = QString::fromStdString(m.path);
          break;
        }
  }
  if (folder.isEmpty()) {
    model_panel_->setError(tr("No usable model found: add a model folder"));
    return;
  }
  loadModel(folder);
}

bool MainWindow::loadModel(const QString& folder) {
  if (!catalog_) return false;
  if (generation_ && generation_->isRunning()) {
    model_panel_->setError(tr("Stop the running take before switching models"));
    model_panel_->selectPath(loaded_model_path_);
    return false;
  }
  std::shared_ptr<GenerationEngine> engine;
  const QString device = model_panel_->device();
  const int threads = model_panel_->threads();
  QApplication::setOverrideCursor(Qt::WaitCursor);
  try {
    engine = catalog_->load(folder.toStdString(), device.toStdString(), threads);
  } catch (const std::exception& e) {
    QApplication::restoreOverrideCursor();
    const QString message = QString::fromUtf8(e.what()).simplified();
    model_panel_->setError(message);
    last_error_ = message;
    statusBar()->showMessage(message);
    if (!loaded_model_path_.isEmpty()) model_panel_->selectPath(loaded_model_path_);
    return false;
  }
  QApplication::restoreOverrideCursor();
  loaded_model_path_ = folder;
  const auto d = engine->description();
  generation_panel_->applyModelDefaults(engine->defaults());
  setGenerationEngine(engine);  // the prompt stays: switching models keeps it
  model_panel_->setLoaded(folder, tr("Loaded %1 on %2").arg(QString::fromStdString(d.name),
                                                            QString::fromStdString(engine->device())));
  QSettings settings;
  settings.setValue(kModelPathKey, folder);
  settings.setValue(kDeviceKey, device);
  settings.setValue(kThreadsKey, threads);
  statusBar()->showMessage(tr("Model %1 ready (%2, training length %3 tokens)")
                               .arg(QString::fromStdString(d.name), positional_encoding_label(d))
                               .arg(d.train_len));
  Q_EMIT modelLoaded(folder);
  return true;
}

// ---- generation ----------------------------------------------------------------------------------

void MainWindow::setGenerationEngine(std::shared_ptr<GenerationEngine> engine) {
  delete generation_;
  generation_ = nullptr;
  generate_menu_->menuAction()->setVisible(engine != nullptr);
  generate_action_->setEnabled(engine != nullptr);
  stop_action_->setEnabled(false);
  generation_panel_->setRunning(false);
  generation_panel_->setReady(engine != nullptr, tr("Load a model first"));
  if (!engine) return wireInsightViews();
  generation_ = new GenerationController(std::move(engine), this);
  wireInsightViews();
  generation_->attachPianoRoll(piano_roll_);
  connect(generation_, &GenerationController::progressChanged, this,
          [this](double fraction, qulonglong tokens, double rate, double eta) {
            progress_->setValue(static_cast<int>(fraction * 1000));
            generation_panel_->showProgress(fraction, tokens, rate, eta);
          });
  connect(generation_, &GenerationController::trainingEndReached, this, [this](music::Tick tick) {
    const auto d = generation_->engine().description();
    setTrainingLength(tick, tr("training length (%1 tokens)").arg(d.train_len));
  });
  connect(generation_, &GenerationController::finished, this, &MainWindow::onGenerationFinished);
  connect(generation_, &GenerationController::failed, this, [this](const QString& message) {
    progress_->hide();
    generate_action_->setEnabled(true);
    stop_action_->setEnabled(false);
    generation_panel_->setRunning(false);
    running_parent_.clear();
    showError(tr("Generation failed: %1").arg(message));
    showTake(takes_panel_->currentId());  // back to what was shown
  });
}

namespace {

void begin_running(QAction* generate, QAction* stop, QProgressBar* progress, GenerationPanel* panel) {
  generate->setEnabled(false);
  stop->setEnabled(true);
  progress->setValue(0);
  progress->show();
  panel->setRunning(true);
}

}  // namespace

GenerationRequest MainWindow::promptRequest() const {
  GenerationRequest request;
  generation_panel_->fillRequest(request);
  const bool scratch = generation_panel_->fromScratch() || prompt_source_.note_count() == 0;
  const int bars = scratch ? 0 : prompt_panel_->promptBars();
  // The whole file goes to the engine, which takes its first `bars` bars exactly as `spe generate
  // --prompt FILE --prompt-bars N` does, so the recipe reproduces the take.
  request.prompt = scratch ? music::Score{} : prompt_source_;
  request.prompt_bars = bars;
  request.prompt_end = bars > 0 ? bar_start_tick(prompt_source_, bars) : 0;
  request.prompt_source = prompt_path_.toStdString();
  return request;
}

bool MainWindow::generate() {
  if (!generation_ || generation_->isRunning()) return false;
  const GenerationRequest request = promptRequest();
  const int bars = request.prompt_bars;
  piano_roll_->setScore(prompt_prefix(prompt_source_, request.prompt_end), /*keep_view=*/true);
  piano_roll_->setPromptEndTick(bars > 0 ? request.prompt_end : -1);
  setTrainingLength(-1, QString());
  running_parent_.clear();
  running_reroll_bar_ = -1;
  if (!generation_->start(request)) return false;
  begin_running(generate_action_, stop_action_, progress_, generation_panel_);
  statusBar()->showMessage(tr("Generating with %1…").arg(QString::fromStdString(generation_->engine().name())));
  return true;
}

bool MainWindow::rerollFromBar(const QString& take_id, int bar) {
  const Take* parent = takes_panel_->take(take_id);
  if (!generation_ || generation_->isRunning() || !parent || bar < 1) return false;
  GenerationRequest request;
  generation_panel_->rollSeed();  // a re-roll is a new draw
  generation_panel_->fillRequest(request);
  request.candidates = 1;
  request.prompt_source = prompt_path_.toStdString();
  GenerationRequest::Reroll rr;
  rr.session = parent->engine_session;
  rr.candidate = parent->candidate;
  rr.bar = bar;
  rr.parent_score = parent->score;
  rr.parent_recipe = parent->recipe;
  request.reroll = rr;
  running_parent_ = take_id;
  running_reroll_bar_ = bar;
  setTrainingLength(-1, QString());
  if (!generation_->start(request)) return false;
  begin_running(generate_action_, stop_action_, progress_, generation_panel_);
  statusBar()->showMessage(tr("Re-rolling %1 from bar %2…").arg(parent->name).arg(bar + 1));
  return true;
}

void MainWindow::stopGeneration() {
  if (generation_) generation_->cancel();
}

void MainWindow::onGenerationFinished(const GenerationOutcome& outcome) {
  progress_->hide();
  generate_action_->setEnabled(true);
  stop_action_->setEnabled(false);
  generation_panel_->setRunning(false);
  const QString model_name = QString::fromStdString(generation_->engine().name());
  QString first_id;
  std::size_t new_notes = 0;
  for (const auto& g : outcome.takes) {
    Take take;
    take.parent_id = running_parent_;
    take.score = g.score;
    take.recipe = g.recipe;
    take.prompt_end = g.prompt_end;
    take.training_end = g.training_end;
    take.reroll_bar = g.reroll_bar;
    take.model_name = model_name;
    take.candidate = g.candidate;
    take.partial = g.partial;
    take.engine_session = g.session;
    take.trace = g.trace;
    if (first_id.isEmpty())
      for (const auto& t : g.score.tracks)
        for (const auto& n : t.notes) new_notes += n.from_prompt ? 0 : 1;
    const QString id = takes_panel_->addTake(std::move(take), /*select=*/first_id.isEmpty());
    if (first_id.isEmpty()) first_id = id;
  }
  running_parent_.clear();
  if (!outcome.cancelled) generation_panel_->rollSeed();  // the next take is a new draw; the recipe keeps this one
  const QString what = outcome.cancelled ? tr("Take stopped") : tr("Take finished");
  statusBar()->showMessage(tr("%1: %2 new notes in %3 s").arg(what).arg(new_notes).arg(outcome.seconds, 0, 'f', 1));
  if (!first_id.isEmpty()) Q_EMIT takeFinished(first_id);
}

void MainWindow::showTake(const QString& id) {
  const Take* take = takes_panel_->take(id);
  if (!take || (generation_ && generation_->isRunning())) return;
  piano_roll_->setScore(take->score, /*keep_view=*/true);
  piano_roll_->setPromptEndTick(take->prompt_end > 0 ? take->prompt_end : -1);
  showTakeInsights(take);
  const int train_len = generation_ ? int(generation_->engine().description().train_len) : 0;
  setTrainingLength(take->training_end,
                    train_len > 0 ? tr("training length (%1 tokens)").arg(train_len) : tr("training length"));
  export_action_->setEnabled(true);
}

void MainWindow::setTrainingLength(music::Tick tick, const QString& label) {
  piano_roll_->setTrainingMarker(tick, label);
}

void MainWindow::showRollContextMenu(const QPoint& pos) {
  const music::Tick tick = piano_roll_->xToTick(pos.x());
  const int bar = bar_at_tick(piano_roll_->score(), std::max<music::Tick>(0, tick));
  const QString id = takes_panel_->currentId();
  const Take* take = takes_panel_->take(id);
  QMenu menu(this);
  QAction* reroll = menu.addAction(tr("Re-roll from bar %1").arg(bar + 1), this, [this, id, bar] { rerollFromBar(id, bar); });
  reroll->setObjectName(QStringLiteral("rerollAction"));
  reroll->setEnabled(take && bar >= 1 && generation_ && !generation_->isRunning());
  if (!take) reroll->setToolTip(tr("Generate a take first"));
  menu.exec(piano_roll_->viewport()->mapToGlobal(pos));
}

}  // namespace spe::ui
