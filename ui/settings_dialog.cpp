#include "settings_dialog.hpp"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QThread>
#include <algorithm>

namespace spe::ui {
namespace {

// The same keys the window and its panels persist into.
const char* const kSoundfontKey = "playback/soundfont";
const char* const kOutputKey = "playback/output";
const char* const kDeviceKey = "model/device";
const char* const kThreadsKey = "model/threads";
const char* const kLengthKey = "generation/length";
const char* const kLengthUnitKey = "generation/lengthUnit";

}  // namespace

StudioSettings StudioSettings::load() {
  QSettings s;
  StudioSettings v;
  v.soundfont = s.value(kSoundfontKey).toString();
  v.output = s.value(kOutputKey, v.output).toString();
  v.device = s.value(kDeviceKey, v.device).toString();
  v.threads = s.value(kThreadsKey, v.threads).toInt();
  v.length_unit = LengthUnit(std::clamp(s.value(kLengthUnitKey, int(v.length_unit)).toInt(), 0, 2));
  v.length = s.value(kLengthKey, v.length).toDouble();
  return v;
}

void StudioSettings::save() const {
  QSettings s;
  s.setValue(kSoundfontKey, soundfont);
  s.setValue(kOutputKey, output);
  s.setValue(kDeviceKey, device);
  s.setValue(kThreadsKey, threads);
  s.setValue(kLengthUnitKey, int(length_unit));
  s.setValue(kLengthKey, length);
}

SettingsDialog::SettingsDialog(const StudioSettings& values, const std::vector<PlaybackOutputChoice>& outputs,
                               bool cuda_available, const QString& cuda_reason,
                               std::function<QString(const QString&)> resolve_soundfont, const QString& missing_message,
                               QWidget* parent)
    : QDialog(parent), resolve_soundfont_(std::move(resolve_soundfont)), missing_message_(missing_message) {
  setObjectName(QStringLiteral("settingsDialog"));
  setWindowTitle(tr("Settings — SPE Studio"));
  auto* form = new QFormLayout;

  soundfont_ = new QLineEdit(values.soundfont, this);
  soundfont_->setObjectName(QStringLiteral("soundfontEdit"));
  soundfont_->setPlaceholderText(tr("Debian General MIDI soundfont"));
  auto* browse = new QPushButton(tr("Browse…"), this);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString start = soundfont_->text().isEmpty() ? QStringLiteral("/usr/share/sounds/sf2") : QFileInfo(soundfont_->text()).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose a soundfont"), start, tr("SoundFont (*.sf2 *.sf3);;All files (*)"));
    if (!path.isEmpty()) soundfont_->setText(path);
  });
  auto* row = new QHBoxLayout;
  row->addWidget(soundfont_, 1);
  row->addWidget(browse);
  form->addRow(tr("Soundfont:"), row);
  soundfont_note_ = new QLabel(this);
  soundfont_note_->setObjectName(QStringLiteral("soundfontNote"));
  soundfont_note_->setWordWrap(true);
  form->addRow(QString(), soundfont_note_);
  connect(soundfont_, &QLineEdit::textChanged, this, &SettingsDialog::updateSoundfontNote);

  output_ = new QComboBox(this);
  output_->setObjectName(QStringLiteral("outputCombo"));
  for (const auto& o : outputs) output_->addItem(QString::fromStdString(o.label), QString::fromStdString(o.id));
  int current = output_->findData(values.output);
  if (current < 0 && !values.output.isEmpty()) {  // a port that is not there now stays the choice
    output_->addItem(tr("%1 (not connected)").arg(values.output), values.output);
    current = output_->count() - 1;
  }
  output_->setCurrentIndex(std::max(0, current));
  form->addRow(tr("Play through:"), output_);

  device_ = new QComboBox(this);
  device_->setObjectName(QStringLiteral("deviceCombo"));
  device_->addItem(tr("CPU"), QStringLiteral("cpu"));
  device_->addItem(cuda_available ? tr("CUDA GPU") : tr("CUDA GPU (unavailable: %1)").arg(cuda_reason), QStringLiteral("cuda"));
  if (auto* model = qobject_cast<QStandardItemModel*>(device_->model())) model->item(1)->setEnabled(cuda_available);
  device_->setCurrentIndex(values.device.startsWith(QStringLiteral("cuda")) && cuda_available ? 1 : 0);
  form->addRow(tr("Device:"), device_);

  threads_ = new QSpinBox(this);
  threads_->setObjectName(QStringLiteral("threadsSpin"));
  threads_->setRange(1, std::max(1, QThread::idealThreadCount()));
  threads_->setValue(values.threads);
  form->addRow(tr("CPU threads:"), threads_);

  length_unit_ = new QComboBox(this);
  length_unit_->setObjectName(QStringLiteral("lengthUnitCombo"));
  length_unit_->addItem(tr("tokens"), int(LengthUnit::Tokens));
  length_unit_->addItem(tr("bars"), int(LengthUnit::Bars));
  length_unit_->addItem(tr("seconds"), int(LengthUnit::Seconds));
  length_unit_->setCurrentIndex(length_unit_->findData(int(values.length_unit)));
  length_ = new QDoubleSpinBox(this);
  length_->setObjectName(QStringLiteral("lengthSpin"));
  length_->setRange(1, 100000);
  length_->setDecimals(0);
  length_->setValue(values.length);
  auto* length_row = new QHBoxLayout;
  length_row->addWidget(length_, 1);
  length_row->addWidget(length_unit_);
  form->addRow(tr("Default take length:"), length_row);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(buttons);
  updateSoundfontNote();
}

void SettingsDialog::updateSoundfontNote() {
  const QString choice = soundfont_->text().trimmed();
  const QString used = resolve_soundfont_ ? resolve_soundfont_(choice) : QString();
  if (!choice.isEmpty() && used != choice)
    soundfont_note_->setText(tr("%1: cannot read the file").arg(choice));
  else if (used.isEmpty())
    soundfont_note_->setText(missing_message_);
  else
    soundfont_note_->setText(tr("FluidSynth plays with %1").arg(used));
}

StudioSettings SettingsDialog::values() const {
  StudioSettings v;
  v.soundfont = soundfont_->text().trimmed();
  v.output = output_->currentData().toString();
  v.device = device_->currentData().toString();
  v.threads = threads_->value();
  v.length_unit = LengthUnit(length_unit_->currentData().toInt());
  v.length = length_->value();
  return v;
}

}  // namespace spe::ui
