#include "prompt_panel.hpp"

#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <array>
#include <cmath>

#include "timeline.hpp"
#include "track_palette.hpp"

namespace spe::ui {
namespace {

QIcon swatch(const QColor& color) {
  QPixmap pixmap(12, 12);
  pixmap.fill(Qt::transparent);
  QPainter p(&pixmap);
  p.fillRect(QRect(1, 1, 10, 10), color);
  return QIcon(pixmap);
}

QLabel* value_label(QWidget* parent, const char* object_name) {
  auto* label = new QLabel(QStringLiteral("—"), parent);
  label->setObjectName(QString::fromLatin1(object_name));
  label->setTextInteractionFlags(Qt::TextSelectableByMouse);
  return label;
}

}  // namespace

QString gm_program_name(int program) {
  static const std::array<const char*, 128> names = {
      "Acoustic Grand Piano", "Bright Acoustic Piano", "Electric Grand Piano", "Honky-tonk Piano",
      "Electric Piano 1", "Electric Piano 2", "Harpsichord", "Clavinet", "Celesta", "Glockenspiel",
      "Music Box", "Vibraphone", "Marimba", "Xylophone", "Tubular Bells", "Dulcimer", "Drawbar Organ",
      "Percussive Organ", "Rock Organ", "Church Organ", "Reed Organ", "Accordion", "Harmonica",
      "Tango Accordion", "Acoustic Guitar (nylon)", "Acoustic Guitar (steel)", "Electric Guitar (jazz)",
      "Electric Guitar (clean)", "Electric Guitar (muted)", "Overdriven Guitar", "Distortion Guitar",
      "Guitar Harmonics", "Acoustic Bass", "Electric Bass (finger)", "Electric Bass (pick)",
      "Fretless Bass", "Slap Bass 1", "Slap Bass 2", "Synth Bass 1", "Synth Bass 2", "Violin", "Viola",
      "Cello", "Contrabass", "Tremolo Strings", "Pizzicato Strings", "Orchestral Harp", "Timpani",
      "String Ensemble 1", "String Ensemble 2", "Synth Strings 1", "Synth Strings 2", "Choir Aahs",
      "Voice Oohs", "Synth Voice", "Orchestra Hit", "Trumpet", "Trombone", "Tuba", "Muted Trumpet",
      "French Horn", "Brass Section", "Synth Brass 1", "Synth Brass 2", "Soprano Sax", "Alto Sax",
      "Tenor Sax", "Baritone Sax", "Oboe", "English Horn", "Bassoon", "Clarinet", "Piccolo", "Flute",
      "Recorder", "Pan Flute", "Blown Bottle", "Shakuhachi", "Whistle", "Ocarina", "Lead 1 (square)",
      "Lead 2 (sawtooth)", "Lead 3 (calliope)", "Lead 4 (chiff)", "Lead 5 (charang)", "Lead 6 (voice)",
      "Lead 7 (fifths)", "Lead 8 (bass + lead)", "Pad 1 (new age)", "Pad 2 (warm)", "Pad 3 (polysynth)",
      "Pad 4 (choir)", "Pad 5 (bowed)", "Pad 6 (metallic)", "Pad 7 (halo)", "Pad 8 (sweep)",
      "FX 1 (rain)", "FX 2 (soundtrack)", "FX 3 (crystal)", "FX 4 (atmosphere)", "FX 5 (brightness)",
      "FX 6 (goblins)", "FX 7 (echoes)", "FX 8 (sci-fi)", "Sitar", "Banjo", "Shamisen", "Koto",
      "Kalimba", "Bagpipe", "Fiddle", "Shanai", "Tinkle Bell", "Agogo", "Steel Drums", "Woodblock",
      "Taiko Drum", "Melodic Tom", "Synth Drum", "Reverse Cymbal", "Guitar Fret Noise", "Breath Noise",
      "Seashore", "Bird Tweet", "Telephone Ring", "Helicopter", "Applause", "Gunshot"};
  return QString::fromLatin1(names[static_cast<std::size_t>(std::clamp(program, 0, 127))]);
}

QString tempo_summary(const music::Score& score) {
  if (score.tempos.empty()) return QStringLiteral("120 BPM");
  double lo = score.tempos.front().bpm, hi = lo;
  for (const auto& t : score.tempos) {
    lo = std::min(lo, t.bpm);
    hi = std::max(hi, t.bpm);
  }
  const long rounded_lo = std::lround(lo), rounded_hi = std::lround(hi);
  if (rounded_lo == rounded_hi) return QStringLiteral("%1 BPM").arg(rounded_lo);
  return QStringLiteral("%1–%2 BPM").arg(rounded_lo).arg(rounded_hi);
}

QString metre_summary(const music::Score& score) {
  QStringList seen;
  for (const auto& ts : score.time_signatures) {
    const QString s = QStringLiteral("%1/%2").arg(ts.numerator).arg(ts.denominator);
    if (!seen.contains(s)) seen << s;
  }
  if (seen.isEmpty() || (score.time_signatures.front().tick > 0 && !seen.contains(QStringLiteral("4/4"))))
    seen.prepend(QStringLiteral("4/4"));
  return seen.join(QStringLiteral(", "));
}

PromptPanel::PromptPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  open_button_ = new QPushButton(tr("Open MIDI…"), this);
  open_button_->setToolTip(tr("Open a MIDI file as the prompt (or drop one onto the window)"));
  layout->addWidget(open_button_);

  auto* form = new QFormLayout;
  form->setLabelAlignment(Qt::AlignLeft);
  file_label_ = value_label(this, "fileName");
  file_label_->setWordWrap(true);
  tracks_label_ = value_label(this, "trackCount");
  notes_label_ = value_label(this, "noteCount");
  bars_label_ = value_label(this, "barCount");
  tempo_label_ = value_label(this, "tempo");
  metre_label_ = value_label(this, "metre");
  length_label_ = value_label(this, "length");
  form->addRow(tr("File"), file_label_);
  form->addRow(tr("Tracks"), tracks_label_);
  form->addRow(tr("Notes"), notes_label_);
  form->addRow(tr("Bars"), bars_label_);
  form->addRow(tr("Tempo"), tempo_label_);
  form->addRow(tr("Metre"), metre_label_);
  form->addRow(tr("Length"), length_label_);
  layout->addLayout(form);

  track_list_ = new QListWidget(this);
  track_list_->setObjectName(QStringLiteral("trackList"));
  track_list_->setSelectionMode(QAbstractItemView::NoSelection);
  track_list_->setFocusPolicy(Qt::NoFocus);
  track_list_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  track_list_->setTextElideMode(Qt::ElideRight);
  layout->addWidget(track_list_, 1);

  auto* prompt_form = new QFormLayout;
  prompt_bars_ = new QSpinBox(this);
  prompt_bars_->setObjectName(QStringLiteral("promptBars"));
  prompt_bars_->setRange(0, 0);
  prompt_bars_->setSpecialValueText(tr("none (from scratch)"));
  prompt_bars_->setToolTip(tr("How many bars from the start of the file a generation continues from "
                              "(0 = start from scratch)"));
  prompt_form->addRow(tr("Prompt bars"), prompt_bars_);
  layout->addLayout(prompt_form);

  connect(open_button_, &QPushButton::clicked, this, &PromptPanel::openRequested);
  connect(prompt_bars_, &QSpinBox::valueChanged, this, &PromptPanel::promptBarsChanged);
  setMinimumWidth(220);
  clear();
}

void PromptPanel::setScore(const QString& file_name, const music::Score& score) {
  file_label_->setText(file_name);
  file_label_->setToolTip(file_name);
  int pitched = 0, drums = 0;
  track_list_->clear();
  for (std::size_t i = 0; i < score.tracks.size(); ++i) {
    const auto& track = score.tracks[i];
    (track.is_drum ? drums : pitched)++;
    const QString kind = track.is_drum ? tr("Drums") : gm_program_name(track.program);
    // Unnamed tracks (common in exported MIDI) are best recognised by their instrument.
    const QString name = track.name.empty() ? kind : QString::fromStdString(track.name);
    auto* item = new QListWidgetItem(swatch(track_color(static_cast<int>(i), track.is_drum)), name);
    item->setToolTip(tr("%1 — %2, channel %3, %4 notes").arg(name, kind).arg(track.channel + 1).arg(track.notes.size()));
    track_list_->addItem(item);
  }
  tracks_label_->setText(drums > 0 ? tr("%1 (%2 drums)").arg(score.tracks.size()).arg(drums)
                                   : QString::number(score.tracks.size()));
  notes_label_->setText(QString::number(score.note_count()));
  const int bars = bar_count(score);
  bars_label_->setText(QString::number(bars));
  tempo_label_->setText(tempo_summary(score));
  metre_label_->setText(metre_summary(score));
  length_label_->setText(QString::fromStdString(format_seconds(tick_to_seconds(score, score.end_tick()))));
  {
    // One promptBarsChanged per load, whether or not the value moved.
    const QSignalBlocker block(prompt_bars_);
    const int previous = prompt_bars_->value();
    prompt_bars_->setRange(0, bars);
    prompt_bars_->setSuffix(tr(" of %1").arg(bars));
    prompt_bars_->setValue(previous > 0 ? std::min(previous, bars) : std::min(bars, 8));
  }
  Q_EMIT promptBarsChanged(prompt_bars_->value());
}

void PromptPanel::clear() {
  for (QLabel* label : {file_label_, tracks_label_, notes_label_, bars_label_, tempo_label_, metre_label_,
                        length_label_})
    label->setText(QStringLiteral("—"));
  file_label_->setText(tr("No file — open or drop a MIDI file"));
  track_list_->clear();
  prompt_bars_->setRange(0, 0);
  prompt_bars_->setSuffix(QString());
}

int PromptPanel::promptBars() const { return prompt_bars_->value(); }
void PromptPanel::setPromptBars(int bars) { prompt_bars_->setValue(bars); }
QString PromptPanel::fileNameText() const { return file_label_->text(); }
QString PromptPanel::tracksText() const { return tracks_label_->text(); }
QString PromptPanel::barsText() const { return bars_label_->text(); }
QString PromptPanel::tempoText() const { return tempo_label_->text(); }
int PromptPanel::trackListCount() const { return track_list_->count(); }

}  // namespace spe::ui
