// MainWindow: keeping the user's work — export with the recipe and the session autosave / restore.
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <exception>
#include <filesystem>

#include "main_window.hpp"
#include "model_panel.hpp"
#include "music/recipe_midi.hpp"
#include "piano_roll_view.hpp"
#include "prompt_panel.hpp"
#include "session_store.hpp"
#include "take.hpp"
#include "takes_panel.hpp"
#include "timeline.hpp"

namespace spe::ui {

bool MainWindow::exportTakeMidi(const QString& take_id, const QString& path) {
  const Take* take = takes_panel_->take(take_id);
  if (!take) {
    showError(tr("%1: no take to export").arg(QFileInfo(path).fileName()));
    return false;
  }
  try {
    music::write_score_with_recipe(take->score, take->recipe == "{}" ? std::string() : take->recipe,
                                   std::filesystem::path(QFile::encodeName(path).toStdString()));
  } catch (const std::exception& e) {
    showError(QString::fromUtf8(e.what()).simplified());
    return false;
  }
  QSettings().setValue(QStringLiteral("files/lastFolder"), QFileInfo(path).absolutePath());
  statusBar()->showMessage(tr("Exported %1 as %2").arg(take->name, QFileInfo(path).fileName()));
  return true;
}

// ---- autosave ------------------------------------------------------------------------------------

void MainWindow::setSessionStore(std::shared_ptr<SessionStore> store) {
  store_ = std::move(store);
  if (store_) store_->markRunning();
}

void MainWindow::scheduleAutosave() {
  if (!store_ || autosave_pending_) return;
  autosave_pending_ = true;
  // Coalesces the changes of one event-loop turn (a run's candidates arrive together) into one save.
  QTimer::singleShot(0, this, [this] {
    autosave_pending_ = false;
    saveSession();
  });
}

bool MainWindow::saveSession() {
  if (!store_) return false;
  StudioSession session;
  session.prompt_path = prompt_path_;
  session.prompt = prompt_source_;
  session.prompt_bars = prompt_panel_->promptBars();
  session.model_name = loaded_model_path_;
  session.takes = takes_panel_->takes();
  session.selected_take = takes_panel_->currentId();
  QString error;
  if (!store_->save(session, &error)) {
    // Autosave failing must not interrupt the music: the status bar says so, the work stays in memory.
    statusBar()->showMessage(tr("Autosave failed: %1").arg(error));
    last_error_ = error;
    return false;
  }
  return true;
}

bool MainWindow::restoreSession() {
  if (!store_) return false;
  QString error;
  auto session = store_->load(&error);
  if (!session) {
    if (!error.isEmpty()) showError(tr("Cannot restore the last session: %1").arg(error));
    return false;
  }
  prompt_path_ = session->prompt_path;
  current_file_ = session->prompt_path;
  prompt_source_ = session->prompt;
  const QString title = session->prompt_path.isEmpty() ? tr("restored session") : QFileInfo(session->prompt_path).fileName();
  piano_roll_->setScore(session->prompt);
  prompt_panel_->setScore(title, session->prompt);
  prompt_panel_->setPromptBars(session->prompt_bars);
  export_action_->setEnabled(session->prompt.note_count() > 0 || !session->takes.empty());
  std::vector<Take> takes = std::move(session->takes);
  for (auto& t : takes) t.engine_session.clear();  // no session survives a restart: re-rolls re-encode
  takes_panel_->setTakes(std::move(takes));
  if (!session->selected_take.isEmpty()) takes_panel_->select(session->selected_take);
  updateTitle();
  statusBar()->showMessage(tr("Restored the last session: %1 takes").arg(takes_panel_->count()));
  return true;
}

}  // namespace spe::ui
