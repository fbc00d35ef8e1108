#include "main_window.hpp"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>
#include <QUrl>
#include <algorithm>
#include <exception>
#include <filesystem>

#include "generation_controller.hpp"
#include "generation_panel.hpp"
#include "model_panel.hpp"
#include "take.hpp"
#include "takes_panel.hpp"
#include "music/score_midi.hpp"
#include "piano_roll_view.hpp"
#include "prompt_panel.hpp"
#include "timeline.hpp"
#include "transport_bar.hpp"
#include <QThread>

namespace spe::ui {
namespace {

constexpr int kMaxRecentFiles = 10;
constexpr int kInitialVisibleBars = 16;
const char* const kRecentKey = "files/recent";
const char* const kLastFolderKey = "files/lastFolder";
const char* const kGeometryKey = "window/geometry";
const char* const kStateKey = "window/state";
const char* const kMidiFilter = "MIDI files (*.mid *.midi *.kar *.rmi);;All files (*)";

std::filesystem::path to_fs_path(const QString& path) { return std::filesystem::path(QFile::encodeName(path).toStdString()); }

bool has_midi_suffix(const QString& path) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  return suffix == QLatin1String("mid") || suffix == QLatin1String("midi") || suffix == QLatin1String("kar") ||
         suffix == QLatin1String("rmi");
}

// The reader's messages already start with the path; anything else gets the file name put in front.
QString one_line_error(const QString& path, const char* what) {
  QString message = QString::fromUtf8(what).simplified();
  if (!message.contains(QFileInfo(path).fileName())) message = QFileInfo(path).fileName() + ": " + message;
  return message;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setObjectName(QStringLiteral("MainWindow"));
  setAcceptDrops(true);

  piano_roll_ = new PianoRollView(this);
  piano_roll_->setObjectName(QStringLiteral("pianoRoll"));
  setCentralWidget(piano_roll_);

  prompt_panel_ = new PromptPanel(this);
  auto* dock = new QDockWidget(tr("Prompt"), this);
  dock->setObjectName(QStringLiteral("promptDock"));
  dock->setWidget(prompt_panel_);
  dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
  addDockWidget(Qt::LeftDockWidgetArea, dock);

  createActions();
  createMenus();
  createToolBar();
  menuBar()->findChild<QMenu*>(QStringLiteral("viewMenu"))->addAction(dock->toggleViewAction());
  createDocks();
  createInsightDocks();
  createTransport();

  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1000);
  progress_->setMaximumWidth(180);
  progress_->setTextVisible(false);
  progress_->hide();
  statusBar()->addPermanentWidget(progress_);
  zoom_label_ = new QLabel(this);
  statusBar()->addPermanentWidget(zoom_label_);
  statusBar()->showMessage(tr("Open a MIDI file (File ▸ Open MIDI…) or drop one onto the window"));

  connect(prompt_panel_, &PromptPanel::openRequested, this, &MainWindow::openFileDialog);
  connect(prompt_panel_, &PromptPanel::promptBarsChanged, this, &MainWindow::updatePromptRegion);
  connect(piano_roll_, &PianoRollView::zoomChanged, this, &MainWindow::updateZoomLabel);

  QSettings settings;
  if (!restoreGeometry(settings.value(kGeometryKey).toByteArray())) resize(1280, 800);
  dock_layout_restored_ = restoreState(settings.value(kStateKey).toByteArray());
  rebuildRecentMenu();
  updateZoomLabel();
  updateTitle();
}

MainWindow::~MainWindow() {
  if (render_thread_) {
    *render_cancel_ = true;
    render_thread_->wait();
    delete render_thread_;
  }
}

// ---- menus ---------------------------------------------------------------------------------------

void MainWindow::createActions() {
  auto add = [this](const QString& name, const QString& text, const QKeySequence& key, auto slot) {
    auto* action = new QAction(text, this);
    action->setObjectName(name);
    if (!key.isEmpty()) action->setShortcut(key);
    connect(action, &QAction::triggered, this, slot);
    addAction(action);
    return action;
  };
  add(QStringLiteral("openAction"), tr("&Open MIDI…"), QKeySequence::Open, &MainWindow::openFileDialog)
      ->setIcon(style()->standardIcon(QStyle::SP_DialogOpenButton));
  export_action_ = add(QStringLiteral("exportAction"), tr("&Export MIDI…"), QKeySequence(tr("Ctrl+E")),
                       &MainWindow::exportMidiDialog);
  export_action_->setIcon(style()->standardIcon(QStyle::SP_DialogSaveButton));
  export_action_->setEnabled(false);
  add(QStringLiteral("quitAction"), tr("&Quit"), QKeySequence::Quit, &QWidget::close);
  add(QStringLiteral("zoomInAction"), tr("Zoom &In"), QKeySequence::ZoomIn, [this] { piano_roll_->zoomInHorizontal(); });
  add(QStringLiteral("zoomOutAction"), tr("Zoom &Out"), QKeySequence::ZoomOut, [this] { piano_roll_->zoomOutHorizontal(); });
  add(QStringLiteral("tallerRowsAction"), tr("&Taller Rows"), QKeySequence(tr("Ctrl+Shift+=")),
      [this] { piano_roll_->zoomInVertical(); });
  add(QStringLiteral("shorterRowsAction"), tr("&Shorter Rows"), QKeySequence(tr("Ctrl+Shift+-")),
      [this] { piano_roll_->zoomOutVertical(); });
  add(QStringLiteral("zoomFitAction"), tr("Zoom to &Fit"), QKeySequence(tr("Ctrl+0")), [this] { piano_roll_->zoomToFit(); });
  add(QStringLiteral("aboutAction"), tr("&About SPE Studio"), QKeySequence(), &MainWindow::showAbout);
}

void MainWindow::createMenus() {
  auto action = [this](const char* name) { return findChild<QAction*>(QString::fromLatin1(name)); };
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->setObjectName(QStringLiteral("fileMenu"));
  file->addAction(action("openAction"));
  recent_menu_ = file->addMenu(tr("Open &Recent"));
  recent_menu_->setObjectName(QStringLiteral("recentMenu"));
  file->addAction(export_action_);
  file->addSeparator();
  file->addAction(action("quitAction"));

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->setObjectName(QStringLiteral("viewMenu"));
  for (const char* name : {"zoomInAction", "zoomOutAction", "tallerRowsAction", "shorterRowsAction", "zoomFitAction"})
    view->addAction(action(name));
  view->addSeparator();

  generate_menu_ = menuBar()->addMenu(tr("&Generate"));
  generate_menu_->setObjectName(QStringLiteral("generateMenu"));
  generate_action_ = generate_menu_->addAction(tr("&Generate"), QKeySequence(tr("Ctrl+G")), this, &MainWindow::generate);
  generate_action_->setObjectName(QStringLiteral("generateAction"));
  stop_action_ = generate_menu_->addAction(tr("&Stop"), QKeySequence(Qt::Key_Escape), this, &MainWindow::stopGeneration);
  stop_action_->setObjectName(QStringLiteral("stopAction"));
  generate_action_->setEnabled(false);
  stop_action_->setEnabled(false);
  generate_menu_->menuAction()->setVisible(false);  // until an engine is wired

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->setObjectName(QStringLiteral("helpMenu"));
  help->addAction(action("aboutAction"));
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::createToolBar() {
  auto action = [this](const char* name) { return findChild<QAction*>(QString::fromLatin1(name)); };
  QToolBar* bar = addToolBar(tr("Main"));
  bar->setObjectName(QStringLiteral("mainToolBar"));
  bar->setMovable(false);
  bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  bar->addAction(action("openAction"));
  bar->addAction(export_action_);
  bar->addSeparator();
  // Short labels for the toolbar; the menu keeps the descriptive ones.
  const std::pair<const char*, QString> zoom[] = {{"zoomOutAction", tr("−")},     {"zoomInAction", tr("+")},
                                                  {"zoomFitAction", tr("Fit")},   {"shorterRowsAction", tr("Rows −")},
                                                  {"tallerRowsAction", tr("Rows +")}};
  for (const auto& [name, label] : zoom) {
    QAction* a = action(name);
    auto* proxy = bar->addAction(label);
    proxy->setToolTip(a->text().remove(QLatin1Char('&')) + QStringLiteral(" (") +
                      a->shortcut().toString(QKeySequence::NativeText) + QStringLiteral(")"));
    connect(proxy, &QAction::triggered, a, &QAction::trigger);
  }
}

// ---- files ---------------------------------------------------------------------------------------

bool MainWindow::openFile(const QString& path) {
  if (generation_ && generation_->isRunning()) {
    // The running take streams into the roll; replacing the score under it would mix two pieces.
    showError(tr("%1: stop the running generation before opening another file").arg(QFileInfo(path).fileName()));
    return false;
  }
  music::Score score;
  try {
    score = music::read_score(to_fs_path(path));
  } catch (const std::exception& e) {
    showError(one_line_error(path, e.what()));
    if (!QFileInfo::exists(path)) {  // a recent file that went away leaves the menu
      QSettings settings;
      QStringList recent = settings.value(kRecentKey).toStringList();
      recent.removeAll(QFileInfo(path).absoluteFilePath());
      settings.setValue(kRecentKey, recent);
      rebuildRecentMenu();
    }
    return false;
  }
  const QFileInfo info(path);
  current_file_ = info.absoluteFilePath();
  prompt_path_ = current_file_;
  last_error_.clear();
  prompt_source_ = score;
  piano_roll_->setScore(score);
  prompt_panel_->setScore(info.fileName(), score);  // emits promptBarsChanged → prompt region
  const int bars = bar_count(score);
  piano_roll_->fitTicks(bar_start_tick(score, std::clamp(bars, 1, kInitialVisibleBars)));
  export_action_->setEnabled(true);
  QSettings().setValue(kLastFolderKey, info.absolutePath());
  addRecentFile(current_file_);
  updateTitle();
  statusBar()->showMessage(tr("Opened %1: %2 notes in %3 tracks, %4 bars")
                               .arg(info.fileName())
                               .arg(score.note_count())
                               .arg(score.tracks.size())
                               .arg(bars));
  Q_EMIT scoreLoaded(current_file_);
  scheduleAutosave();
  return true;
}

void MainWindow::showScore(const music::Score& score, const QString& title) {
  prompt_source_ = score;
  piano_roll_->setScore(score);
  prompt_panel_->setScore(title, score);
  export_action_->setEnabled(true);
  current_file_.clear();
  setWindowTitle(tr("%1 — SPE Studio").arg(title));
}

bool MainWindow::exportMidi(const QString& path) {
  // The roll shows the selected take (unless a take is streaming in): export it with its recipe.
  if (takes_panel_ && !(generation_ && generation_->isRunning()) && takes_panel_->take(takes_panel_->currentId()))
    return exportTakeMidi(takes_panel_->currentId(), path);
  try {
    music::write_score(piano_roll_->score(), to_fs_path(path));
  } catch (const std::exception& e) {
    showError(one_line_error(path, e.what()));
    return false;
  }
  QSettings().setValue(kLastFolderKey, QFileInfo(path).absolutePath());
  statusBar()->showMessage(tr("Exported %1").arg(QFileInfo(path).fileName()));
  return true;
}

void MainWindow::openFileDialog() {
  const QString folder = QSettings().value(kLastFolderKey, QDir::homePath()).toString();
  const QString path = QFileDialog::getOpenFileName(this, tr("Open MIDI file"), folder, tr(kMidiFilter));
  if (!path.isEmpty()) openFile(path);
}

void MainWindow::exportMidiDialog() {
  const QString folder = QSettings().value(kLastFolderKey, QDir::homePath()).toString();
  QString base = current_file_.isEmpty() ? tr("take") : QFileInfo(current_file_).completeBaseName();
  if (const Take* t = takes_panel_ ? takes_panel_->take(takes_panel_->currentId()) : nullptr)
    base += QLatin1Char('-') + QString(t->name).replace(QLatin1Char(' '), QLatin1Char('-')).toLower();
  QString path = QFileDialog::getSaveFileName(this, tr("Export MIDI"), QDir(folder).filePath(base + ".mid"),
                                              tr(kMidiFilter));
  if (path.isEmpty()) return;
  if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".mid");
  exportMidi(path);
}

void MainWindow::showError(const QString& message) {
  last_error_ = message;
  statusBar()->showMessage(message);
  // Non-modal (window-modal sheet): the event loop keeps running, drops and tests are never blocked.
  if (!error_box_) {
    error_box_ = new QMessageBox(QMessageBox::Critical, tr("SPE Studio"), QString(), QMessageBox::Ok, this);
    error_box_->setObjectName(QStringLiteral("errorBox"));
  }
  error_box_->setText(message);
  error_box_->open();
}

QStringList MainWindow::recentFiles() const { return QSettings().value(kRecentKey).toStringList(); }

void MainWindow::addRecentFile(const QString& path) {
  QSettings settings;
  QStringList recent = settings.value(kRecentKey).toStringList();
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > kMaxRecentFiles) recent.removeLast();
  settings.setValue(kRecentKey, recent);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  recent_menu_->clear();
  const QStringList recent = recentFiles();
  for (int i = 0; i < recent.size(); ++i) {
    const QString path = recent[i];
    QAction* a = recent_menu_->addAction(QStringLiteral("&%1 %2").arg((i + 1) % 10).arg(QFileInfo(path).fileName()));
    a->setToolTip(path);
    a->setStatusTip(path);
    connect(a, &QAction::triggered, this, [this, path] { openFile(path); });
  }
  if (!recent.isEmpty()) {
    recent_menu_->addSeparator();
    recent_menu_->addAction(tr("&Clear Menu"), this, [this] {
      QSettings().remove(kRecentKey);
      rebuildRecentMenu();
    });
  }
  recent_menu_->setEnabled(!recent.isEmpty());
}

QStringList MainWindow::midiFilesIn(const QMimeData* data) {
  QStringList files;
  if (!data || !data->hasUrls()) return files;
  for (const QUrl& url : data->urls())
    if (url.isLocalFile() && has_midi_suffix(url.toLocalFile())) files << url.toLocalFile();
  return files;
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (!midiFilesIn(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const QStringList files = midiFilesIn(event->mimeData());
  if (files.isEmpty()) return;
  event->acceptProposedAction();
  openFile(files.front());  // one prompt at a time: the first dropped file
}

// ---- view state ----------------------------------------------------------------------------------

void MainWindow::updatePromptRegion(int bars) {
  piano_roll_->setPromptEndTick(bars > 0 ? bar_start_tick(prompt_source_, bars) : -1);
}

void MainWindow::updateZoomLabel() {
  zoom_label_->setText(tr("%1 px/beat · %2 px/key")
                           .arg(piano_roll_->pixelsPerBeat(), 0, 'f', 1)
                           .arg(piano_roll_->keyHeight()));
}

void MainWindow::updateTitle() {
  setWindowFilePath(current_file_);
  setWindowTitle(current_file_.isEmpty() ? tr("SPE Studio")
                                         : tr("%1 — SPE Studio").arg(QFileInfo(current_file_).fileName()));
}

void MainWindow::showAbout() {
  QMessageBox::about(
      this, tr("About SPE Studio"),
      tr("<h3>SPE Studio %1</h3>"
         "<p>Music generation with Performer (linear-attention) transformers and Stochastic Positional "
         "Encoding (Liutkus, Cífka et al., ICML 2021).</p>"
         "<p>Open a MIDI file as a prompt, continue it beyond the model's training length, audition and "
         "export takes.</p>")
          .arg(QApplication::applicationVersion()));
}

void MainWindow::showEvent(QShowEvent* event) {
  QMainWindow::showEvent(event);
  if (!dock_layout_restored_) {  // first run: the docks' sizes only take once the window has its own
    dock_layout_restored_ = true;
    sizeInsightDocks();
  }
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (generation_) generation_->cancel();
  if (transport_) transport_->stop();
  if (render_thread_) {  // an export in flight is cancelled: its target stays as it was
    *render_cancel_ = true;
    render_thread_->wait();
  }
  saveSession();
  QSettings settings;
  settings.setValue(kGeometryKey, saveGeometry());
  settings.setValue(kStateKey, saveState());
  QMainWindow::closeEvent(event);
}

}  // namespace spe::ui
