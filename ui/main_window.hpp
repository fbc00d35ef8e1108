#pragma once
// SPE Studio's main window: menus, the prompt panel (left dock), the piano roll (centre) and a status bar.
// Files come in through File ▸ Open, the recent-files menu or drag-and-drop; unreadable files produce a
// one-line error box naming the file and the problem. Geometry, last folder and recent files persist.

#include <QMainWindow>
#include <QStringList>
#include <memory>

#include "music/score.hpp"

class QAction;
class QLabel;
class QMenu;
class QMimeData;
class QMessageBox;
class QProgressBar;

namespace spe::ui {

class GenerationController;
class GenerationEngine;
class PianoRollView;
class PromptPanel;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Loads a MIDI file as the prompt. On failure shows the error (non-modal box + status bar), keeps what
  // was shown before and returns false.
  bool openFile(const QString& path);
  // Writes what the piano roll shows (prompt + any generated notes) as a Standard MIDI File (atomic).
  bool exportMidi(const QString& path);

  // Shows a score that did not come from a file (e.g. a finished take).
  void showScore(const music::Score& score, const QString& title);

  PianoRollView* pianoRoll() const { return piano_roll_; }
  PromptPanel* promptPanel() const { return prompt_panel_; }
  QString currentFile() const { return current_file_; }
  QString lastError() const { return last_error_; }
  QStringList recentFiles() const;
  // The MIDI files (.mid/.midi/.kar/.rmi, local) among dragged data; empty if there are none.
  static QStringList midiFilesIn(const QMimeData* data);

  // Wires the generation engine (the app does this once a model is loaded): enables Generate ▸ Generate
  // and Stop. Without an engine the window is a MIDI viewer / prompt editor.
  void setGenerationEngine(std::shared_ptr<GenerationEngine> engine);
  GenerationController* generationController() const { return generation_; }

  // Set by the model panel: the model's training length in ticks of the current score (negative hides it).
  void setTrainingLength(music::Tick tick, const QString& label);

 public Q_SLOTS:
  void openFileDialog();
  void exportMidiDialog();
  void showAbout();
  // Continues the current prompt (its first promptBars() bars) with the engine, streaming into the roll.
  bool generate();
  void stopGeneration();

 Q_SIGNALS:
  void scoreLoaded(const QString& path);

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void createActions();
  void createMenus();
  void createToolBar();
  void showError(const QString& message);
  void addRecentFile(const QString& path);
  void rebuildRecentMenu();
  void updatePromptRegion(int bars);
  void updateZoomLabel();
  void updateTitle();

  PianoRollView* piano_roll_ = nullptr;
  PromptPanel* prompt_panel_ = nullptr;
  QMenu* recent_menu_ = nullptr;
  QAction* export_action_ = nullptr;
  QLabel* zoom_label_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QMenu* generate_menu_ = nullptr;
  QAction* generate_action_ = nullptr;
  QAction* stop_action_ = nullptr;
  GenerationController* generation_ = nullptr;
  music::Score prompt_source_;  // the file as loaded: takes are cut from it, never from a previous take
  QMessageBox* error_box_ = nullptr;
  QString current_file_;
  QString last_error_;
};

}  // namespace spe::ui
