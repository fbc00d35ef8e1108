#pragma once
// SPE Studio's main window: menus, the prompt / model panels (left), the piano roll (centre), generation
// and takes panels (right), the transport bar and a status bar.
// Files come in through File ▸ Open, the recent-files menu or drag-and-drop; unreadable files produce a
// one-line error box naming the file and the problem. Geometry, last folder and recent files persist.

#include <QList>
#include <QMainWindow>
#include <QStringList>
#include <vector>
#include <atomic>
#include <memory>

#include "music/score.hpp"

class QAction;
class QLabel;
class QMenu;
class QMimeData;
class QMessageBox;
class QProgressBar;
class QProgressDialog;
class QThread;

namespace spe::ui {

class AttentionView;
class EvaluationView;
class CompareView;
class GenerationController;
class GenerationEngine;
class GenerationPanel;
class PositionalTemplatesView;
class PlaybackEngine;
class ModelCatalog;
class ModelPanel;
class PianoRollView;
class PromptPanel;
class TakeCurvesView;
class SessionStore;
class TakesPanel;
class TransportBar;
struct GenerationOutcome;
struct GenerationRequest;
struct NoteKey;
struct StudioSettings;
struct Take;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Loads a MIDI file as the prompt. On failure shows the error (non-modal box + status bar), keeps what
  // was shown before and returns false.
  bool openFile(const QString& path);
  // Writes what the piano roll shows (prompt + any generated notes) as a Standard MIDI File (atomic);
  // a take is written with its recipe (the CLI's text meta event), so `spe generate` reproduces it.
  bool exportMidi(const QString& path);
  bool exportTakeMidi(const QString& take_id, const QString& path);
  // Renders the take (or what the roll shows when `take_id` is empty) to WAV with FluidSynth's file
  // renderer and the chosen soundfont, on a worker thread with a progress dialog (cancel leaves `path`
  // untouched). False (error shown) when it cannot start; audioExported() tells how it ended.
  bool exportAudio(const QString& take_id, const QString& path);
  bool isExportingAudio() const { return render_thread_ != nullptr; }

  // Shows a score that did not come from a file (e.g. a finished take).
  void showScore(const music::Score& score, const QString& title);

  PianoRollView* pianoRoll() const { return piano_roll_; }
  PromptPanel* promptPanel() const { return prompt_panel_; }
  ModelPanel* modelPanel() const { return model_panel_; }
  GenerationPanel* generationPanel() const { return generation_panel_; }
  TakesPanel* takesPanel() const { return takes_panel_; }
  TransportBar* transport() const { return transport_; }
  AttentionView* attentionView() const { return attention_view_; }
  EvaluationView* evaluationView() const { return evaluation_view_; }
  PositionalTemplatesView* templatesView() const { return templates_view_; }
  TakeCurvesView* curvesView() const { return curves_view_; }
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

  // The models the window can offer (the app's catalog over core/generate). Loads `initial` (a folder;
  // empty: the default model, else the first) unless it fails, which shows the error in the panel.
  void setModelCatalog(std::shared_ptr<ModelCatalog> catalog, const QString& initial = {});
  // Loads the model folder with the panel's device and threads; false (error in the panel) on failure.
  bool loadModel(const QString& folder);
  QString loadedModelPath() const { return loaded_model_path_; }
  // Re-roll: continues take `take_id` from bar `bar` (0-based) with a new seed; the result is its child.
  bool rerollFromBar(const QString& take_id, int bar);
  // Playback (the app does this when the build has audio): the transport plays what the roll shows,
  // through the output chosen in Settings, opened on first play.
  void setPlaybackEngine(std::shared_ptr<PlaybackEngine> engine);
  PlaybackEngine* playbackEngine() const { return playback_.get(); }
  bool openPlaybackOutput();
  // Stores and applies settings (reloads the model when device or threads change; reopens the output).
  void applySettings(const StudioSettings& values);

  // Autosave (prompt + takes after every change) into `store`; offers to restore an interrupted session.
  void setSessionStore(std::shared_ptr<SessionStore> store);
  bool restoreSession();
  bool saveSession();

 public Q_SLOTS:
  void openFileDialog();
  void exportMidiDialog();
  void exportAudioDialog();
  void openSettings();
  void showAbout();
  // Continues the current prompt (its first promptBars() bars) with the engine, streaming into the roll.
  bool generate();
  void stopGeneration();
  // Generate ▸ Compare models: the current prompt, length, seed and sampling through 2–5 models side by
  // side; each finished take joins the takes panel (named after its model) and can be played from there.
  CompareView* openCompare();

 Q_SIGNALS:
  void scoreLoaded(const QString& path);
  void modelLoaded(const QString& folder);
  void takeFinished(const QString& take_id);  // the first take of every finished (or stopped) run
  void audioExported(const QString& path, bool ok);

 protected:
  void closeEvent(QCloseEvent* event) override;
  void showEvent(QShowEvent* event) override;
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
  void createDocks();
  void createInsightDocks();
  GenerationRequest promptRequest() const;  // the Generation panel's settings on the current prompt
  void sizeInsightDocks();
  void wireInsightViews();  // after a new generation controller
  void showTakeInsights(const Take* take);
  void focusNote(const NoteKey& note);
  void highlightAttention(qint64 query, const QList<qint64>& keys);
  void wireGenerationPanel();
  void onGenerationFinished(const GenerationOutcome& outcome);
  void showTake(const QString& id);
  void showRollContextMenu(const QPoint& pos);
  void scheduleAutosave();
  void createTransport();
  void syncPlaybackScore();
  void followPlayhead(music::Tick tick);
  void finishAudioExport(const QString& path, bool ok, const QString& error);

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
  ModelPanel* model_panel_ = nullptr;
  GenerationPanel* generation_panel_ = nullptr;
  TakesPanel* takes_panel_ = nullptr;
  TransportBar* transport_ = nullptr;
  AttentionView* attention_view_ = nullptr;
  EvaluationView* evaluation_view_ = nullptr;
  PositionalTemplatesView* templates_view_ = nullptr;
  TakeCurvesView* curves_view_ = nullptr;
  CompareView* compare_view_ = nullptr;
  std::vector<QString> compare_take_ids_;  // the takes of the last comparison, by lane
  std::shared_ptr<PlaybackEngine> playback_;
  QAction* export_audio_action_ = nullptr;
  QThread* render_thread_ = nullptr;
  QProgressDialog* render_progress_ = nullptr;
  std::shared_ptr<std::atomic<bool>> render_cancel_;
  std::shared_ptr<ModelCatalog> catalog_;
  std::shared_ptr<SessionStore> store_;
  QString loaded_model_path_;
  QString prompt_path_;            // absolute path of the prompt file ("" from scratch / no file)
  QString running_parent_;         // re-roll in flight: the parent take
  int running_reroll_bar_ = -1;
  bool autosave_pending_ = false;
  bool dock_layout_restored_ = false;  // the user's saved dock layout was applied (else sized on first show)
  music::Score prompt_source_;  // the file as loaded: takes are cut from it, never from a previous take
  QMessageBox* error_box_ = nullptr;
  QString current_file_;
  QString last_error_;
};

}  // namespace spe::ui
