#pragma once
// Edit ▸ Settings: the soundfont FluidSynth plays with, where playback goes (FluidSynth, the virtual port,
// a MIDI port), the compute device and threads, and the default take length. The window stores the
// values in QSettings and applies them.

#include <QDialog>
#include <QString>
#include <functional>
#include <vector>

#include "generation_engine.hpp"
#include "playback_engine.hpp"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace spe::ui {

struct StudioSettings {
  QString soundfont;                         // "" = the Debian GM soundfont
  QString output = QStringLiteral("fluidsynth");
  QString device = QStringLiteral("cpu");
  int threads = 2;
  LengthUnit length_unit = LengthUnit::Bars;
  double length = 32;

  static StudioSettings load();  // from QSettings
  void save() const;
};

class SettingsDialog : public QDialog {
  Q_OBJECT

 public:
  // `outputs`: what the playback engine offers now; `resolve_soundfont(choice)` names the file FluidSynth
  // would load ("" when none: `missing_message` is shown instead).
  SettingsDialog(const StudioSettings& values, const std::vector<PlaybackOutputChoice>& outputs, bool cuda_available,
                 const QString& cuda_reason, std::function<QString(const QString&)> resolve_soundfont,
                 const QString& missing_message, QWidget* parent = nullptr);

  StudioSettings values() const;

 private:
  void updateSoundfontNote();

  std::function<QString(const QString&)> resolve_soundfont_;
  QString missing_message_;
  QLineEdit* soundfont_ = nullptr;
  QLabel* soundfont_note_ = nullptr;
  QComboBox* output_ = nullptr;
  QComboBox* device_ = nullptr;
  QSpinBox* threads_ = nullptr;
  QComboBox* length_unit_ = nullptr;
  QDoubleSpinBox* length_ = nullptr;
};

}  // namespace spe::ui
