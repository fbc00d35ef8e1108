// MainWindow: the transport (playback of what the roll shows), audio export and the Settings dialog.
#include <QAction>
#include <QCloseEvent>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QPointer>
#include <QProgressDialog>
#include <QSettings>
#include <QStatusBar>
#include <QThread>
#include <algorithm>
#include <exception>

#include "generation_controller.hpp"
#include "generation_panel.hpp"
#include "main_window.hpp"
#include "model_panel.hpp"
#include "piano_roll_view.hpp"
#include "playback_engine.hpp"
#include "settings_dialog.hpp"
#include "take.hpp"
#include "takes_panel.hpp"
#include "transport_bar.hpp"

namespace spe::ui {
namespace {

const char* const kLastFolderKey = "files/lastFolder";

QString named_error(const QString& path, const QString& message) {
  const QString name = QFileInfo(path).fileName();
  return message.contains(name) ? message : name + QStringLiteral(": ") + message;
}

}  // namespace

void MainWindow::createTransport() {
  transport_ = new TransportBar(this);
  addToolBarBreak();
  addToolBar(transport_);
  transport_->setOutputOpener([this] { return openPlaybackOutput(); });
  connect(piano_roll_, &PianoRollView::seekRequested, transport_, &TransportBar::seekTick);
  connect(piano_roll_, &PianoRollView::contentChanged, this, &MainWindow::syncPlaybackScore);
  connect(transport_, &TransportBar::playheadMoved, this, &MainWindow::followPlayhead);
  connect(transport_, &TransportBar::errorOccurred, this,
          [this](const QString& message) { showError(tr("Playback stopped: %1").arg(message)); });
  connect(transport_, &TransportBar::stateChanged, this, [this] {
    // While playing, the roll follows the playhead, not the notes streaming in ahead of it.
    const bool playing = transport_->state() == PlaybackEngine::State::Playing;
    piano_roll_->setFollowAppends(!(playing && transport_->following()) && generation_ && generation_->isRunning());
  });

  QMenu* menu = new QMenu(tr("&Playback"), this);
  menu->setObjectName(QStringLiteral("playbackMenu"));
  menu->addAction(transport_->playAction());
  menu->addAction(transport_->stopAction());
  menu->addAction(transport_->loopAction());
  menuBar()->insertMenu(generate_menu_->menuAction(), menu);
  menuBar()->findChild<QMenu*>(QStringLiteral("viewMenu"))->addAction(transport_->toggleViewAction());

  export_audio_action_ = new QAction(tr("Export &Audio (WAV)…"), this);
  export_audio_action_->setObjectName(QStringLiteral("exportAudioAction"));
  export_audio_action_->setShortcut(QKeySequence(tr("Ctrl+Shift+E")));
  export_audio_action_->setEnabled(false);
  addAction(export_audio_action_);
  connect(export_audio_action_, &QAction::triggered, this, &MainWindow::exportAudioDialog);
  QMenu* file = menuBar()->findChild<QMenu*>(QStringLiteral("fileMenu"));
  file->insertAction(file->actions().value(file->actions().indexOf(export_action_) + 1), export_audio_action_);
  connect(export_action_, &QAction::changed, this,
          [this] { export_audio_action_->setEnabled(export_action_->isEnabled() && playback_ != nullptr); });
  connect(takes_panel_, &TakesPanel::exportAudioRequested, this, [this](const QString& id) {
    takes_panel_->select(id);
    exportAudioDialog();
  });

  QAction* settings = new QAction(tr("&Settings…"), this);
  settings->setObjectName(QStringLiteral("settingsAction"));
  settings->setShortcut(QKeySequence::Preferences);
  settings->setMenuRole(QAction::PreferencesRole);
  connect(settings, &QAction::triggered, this, &MainWindow::openSettings);
  addAction(settings);
  if (QMenu* edit = menuBar()->findChild<QMenu*>(QStringLiteral("editMenu"))) {
    edit->addSeparator();
    edit->addAction(settings);
  }
}

void MainWindow::setPlaybackEngine(std::shared_ptr<PlaybackEngine> engine) {
  playback_ = std::move(engine);
  transport_->setEngine(playback_);
  export_audio_action_->setEnabled(export_action_->isEnabled() && playback_ != nullptr);
  syncPlaybackScore();
}

void MainWindow::syncPlaybackScore() {
  if (!transport_) return;
  transport_->setScore(piano_roll_->score(), !(generation_ && generation_->isRunning()));
}

void MainWindow::followPlayhead(music::Tick tick) {
  piano_roll_->setPlayheadTick(tick);
  if (tick < 0 || !transport_->following() || transport_->state() != PlaybackEngine::State::Playing) return;
  const QRect area = piano_roll_->noteArea();
  const double x = piano_roll_->tickToX(tick);
  if (x >= area.left() && x <= area.right() - 0.1 * area.width()) return;
  // Page on, keeping a tenth of the view behind the playhead for context.
  const music::Tick margin = piano_roll_->xToTick(area.left() + 0.1 * area.width()) - piano_roll_->xToTick(area.left());
  piano_roll_->scrollToTick(std::max<music::Tick>(0, tick - margin));
}

bool MainWindow::openPlaybackOutput() {
  if (!playback_) return false;
  const StudioSettings settings = StudioSettings::load();
  std::string error;
  if (!playback_->selectOutput(settings.output.toStdString(), settings.soundfont.toStdString(), &error)) {
    showError(tr("Playback: %1").arg(QString::fromStdString(error)));
    return false;
  }
  statusBar()->showMessage(tr("Playing through %1").arg(QString::fromStdString(playback_->outputName())));
  return true;
}

// ---- audio export --------------------------------------------------------------------------------

void MainWindow::exportAudioDialog() {
  const QString folder = QSettings().value(kLastFolderKey, QDir::homePath()).toString();
  QString base = current_file_.isEmpty() ? tr("take") : QFileInfo(current_file_).completeBaseName();
  if (const Take* t = takes_panel_->take(takes_panel_->currentId()))
    base += QLatin1Char('-') + QString(t->name).replace(QLatin1Char(' '), QLatin1Char('-')).toLower();
  QString path = QFileDialog::getSaveFileName(this, tr("Export audio"), QDir(folder).filePath(base + ".wav"),
                                              tr("WAV audio (*.wav);;All files (*)"));
  if (path.isEmpty()) return;
  if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".wav");
  const bool streaming = generation_ && generation_->isRunning();
  exportAudio(streaming ? QString() : takes_panel_->currentId(), path);
}

bool MainWindow::exportAudio(const QString& take_id, const QString& path) {
  if (!playback_) {
    showError(named_error(path, tr("audio export needs a build with FluidSynth")));
    return false;
  }
  if (render_thread_) {
    showError(named_error(path, tr("another audio export is still running")));
    return false;
  }
  const Take* take = take_id.isEmpty() ? nullptr : takes_panel_->take(take_id);
  const music::Score score = take ? take->score : piano_roll_->score();
  if (score.note_count() == 0) {
    showError(named_error(path, tr("nothing to render: the score has no notes")));
    return false;
  }
  const std::string soundfont = StudioSettings::load().soundfont.toStdString();
  const std::string file = QFile::encodeName(path).toStdString();
  render_cancel_ = std::make_shared<std::atomic<bool>>(false);
  render_progress_ = new QProgressDialog(tr("Rendering %1…").arg(QFileInfo(path).fileName()), tr("Cancel"), 0, 1000, this);
  render_progress_->setObjectName(QStringLiteral("renderProgress"));
  render_progress_->setWindowModality(Qt::WindowModal);
  render_progress_->setMinimumDuration(300);  // short renders finish without a dialog flashing up
  render_progress_->setValue(0);
  connect(render_progress_, &QProgressDialog::canceled, this, [cancel = render_cancel_] { *cancel = true; });

  QPointer<MainWindow> self(this);
  auto engine = playback_;
  auto cancel = render_cancel_;
  render_thread_ = QThread::create([self, engine, cancel, score, file, soundfont, path] {
    bool ok = false;
    QString error;
    try {
      ok = engine->renderWav(score, file, soundfont, [self, cancel](double fraction) {
        QMetaObject::invokeMethod(self.data(), [self, fraction] {
          if (self && self->render_progress_) self->render_progress_->setValue(static_cast<int>(fraction * 1000));
        }, Qt::QueuedConnection);
        return !*cancel;
      });
    } catch (const std::exception& e) {
      error = QString::fromUtf8(e.what());
    }
    QMetaObject::invokeMethod(self.data(), [self, path, ok, error] {
      if (self) self->finishAudioExport(path, ok, error);
    }, Qt::QueuedConnection);
  });
  render_thread_->setObjectName(QStringLiteral("audioExport"));
  render_thread_->start(QThread::LowPriority);
  statusBar()->showMessage(tr("Rendering %1…").arg(QFileInfo(path).fileName()));
  return true;
}

void MainWindow::finishAudioExport(const QString& path, bool ok, const QString& error) {
  if (render_thread_) {
    render_thread_->wait();
    delete render_thread_;
    render_thread_ = nullptr;
  }
  if (render_progress_) {
    render_progress_->reset();
    render_progress_->deleteLater();
    render_progress_ = nullptr;
  }
  if (!error.isEmpty()) {
    showError(named_error(path, error));
    ok = false;
  } else if (ok) {
    QSettings().setValue(kLastFolderKey, QFileInfo(path).absolutePath());
    statusBar()->showMessage(tr("Exported %1").arg(QFileInfo(path).fileName()));
  } else {
    statusBar()->showMessage(tr("Audio export cancelled: %1 left as it was").arg(QFileInfo(path).fileName()));
  }
  Q_EMIT audioExported(path, ok);
}

// ---- settings ------------------------------------------------------------------------------------

void MainWindow::openSettings() {
  StudioSettings current = StudioSettings::load();
  current.device = model_panel_->device();
  current.threads = model_panel_->threads();
  current.length_unit = generation_panel_->lengthUnit();
  current.length = generation_panel_->length();
  QString cuda_reason;
  const bool cuda = model_panel_->cudaAvailable(&cuda_reason);
  std::vector<PlaybackOutputChoice> outputs;
  if (playback_) outputs = playback_->outputs();
  auto engine = playback_;
  auto resolve = [engine](const QString& choice) {
    return engine ? QString::fromStdString(engine->resolveSoundfont(choice.toStdString())) : QString();
  };
  const QString missing = playback_ ? QString::fromStdString(playback_->missingSoundfontMessage())
                                    : tr("this build has no playback");
  auto* dialog = new SettingsDialog(current, outputs, cuda, cuda_reason, resolve, missing, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QDialog::accepted, this, [this, dialog] { applySettings(dialog->values()); });
  dialog->open();
}

void MainWindow::applySettings(const StudioSettings& values) {
  const StudioSettings before = StudioSettings::load();
  const bool compute_changed = values.device != model_panel_->device() || values.threads != model_panel_->threads();
  values.save();
  generation_panel_->setLength(values.length_unit, values.length);
  if (compute_changed) {
    model_panel_->setDevice(values.device);
    model_panel_->setThreads(values.threads);
    if (!loaded_model_path_.isEmpty() && !(generation_ && generation_->isRunning())) loadModel(loaded_model_path_);
  }
  // A new output takes over at once when one was open (the old one gets all-notes-off).
  if (playback_ && playback_->hasOutput() && (values.output != before.output || values.soundfont != before.soundfont))
    openPlaybackOutput();
}

}  // namespace spe::ui
