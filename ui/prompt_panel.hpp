#pragma once
// The prompt panel: what was loaded (file, tracks, bars, tempo, metre, length), the tracks with their
// piano-roll colours, and how many of its bars a generation should take as its prompt.

#include <QWidget>

#include "music/score.hpp"

class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace spe::ui {

class PromptPanel : public QWidget {
  Q_OBJECT

 public:
  explicit PromptPanel(QWidget* parent = nullptr);

  // Shows `score` loaded from `file_name`; the prompt-bar count is clamped to the score's bars.
  void setScore(const QString& file_name, const music::Score& score);
  void clear();

  int promptBars() const;
  void setPromptBars(int bars);

  // What the panel shows (for tests and accessibility).
  QString fileNameText() const;
  QString tracksText() const;
  QString barsText() const;
  QString tempoText() const;
  int trackListCount() const;

 Q_SIGNALS:
  void openRequested();
  void promptBarsChanged(int bars);

 private:
  QPushButton* open_button_ = nullptr;
  QLabel* file_label_ = nullptr;
  QLabel* tracks_label_ = nullptr;
  QLabel* notes_label_ = nullptr;
  QLabel* bars_label_ = nullptr;
  QLabel* tempo_label_ = nullptr;
  QLabel* metre_label_ = nullptr;
  QLabel* length_label_ = nullptr;
  QListWidget* track_list_ = nullptr;
  QSpinBox* prompt_bars_ = nullptr;
};

// "120 BPM", or "92–128 BPM" when the tempo changes; "120 BPM" for an empty map (the MIDI default).
QString tempo_summary(const music::Score& score);
// "4/4", or "4/4, 3/4" listing the distinct time signatures in order of first use.
QString metre_summary(const music::Score& score);
// General MIDI program name ("Acoustic Grand Piano") for 0..127.
QString gm_program_name(int program);

}  // namespace spe::ui
