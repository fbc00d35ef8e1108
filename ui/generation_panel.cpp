#include "generation_panel.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QVBoxLayout>
#include <cmath>

namespace spe::ui {

namespace {

QString clock_text(double seconds) {
  const long s = std::lround(std::max(0.0, seconds));
  return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

}  // namespace

GenerationPanel::GenerationPanel(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("generationPanel"));
  auto* layout = new QVBoxLayout(this);
  auto* form = new QFormLayout;

  auto* length_row = new QHBoxLayout;
  length_ = new QDoubleSpinBox(this);
  length_->setObjectName(QStringLiteral("lengthSpin"));
  length_->setDecimals(0);
  length_->setRange(1, 100000);
  length_->setValue(32);
  unit_ = new QComboBox(this);
  unit_->setObjectName(QStringLiteral("lengthUnitCombo"));
  unit_->addItem(tr("bars"), int(LengthUnit::Bars));
  unit_->addItem(tr("tokens"), int(LengthUnit::Tokens));
  unit_->addItem(tr("seconds"), int(LengthUnit::Seconds));
  length_row->addWidget(length_, 1);
  length_row->addWidget(unit_);
  form->addRow(tr("Length"), length_row);

  temperature_ = new QDoubleSpinBox(this);
  temperature_->setObjectName(QStringLiteral("temperatureSpin"));
  temperature_->setRange(0, 5);
  temperature_->setSingleStep(0.05);
  temperature_->setDecimals(2);
  temperature_->setToolTip(tr("0 = always the most likely token; higher = more adventurous"));
  form->addRow(tr("Temperature"), temperature_);
  top_k_ = new QSpinBox(this);
  top_k_->setObjectName(QStringLiteral("topKSpin"));
  top_k_->setRange(0, 10000);
  top_k_->setSpecialValueText(tr("off"));
  form->addRow(tr("Top-k"), top_k_);
  top_p_ = new QDoubleSpinBox(this);
  top_p_->setObjectName(QStringLiteral("topPSpin"));
  top_p_->setRange(0.01, 1.0);
  top_p_->setSingleStep(0.01);
  top_p_->setDecimals(2);
  top_p_->setToolTip(tr("Nucleus sampling: keep the smallest set of tokens with this probability (1 = off)"));
  form->addRow(tr("Top-p"), top_p_);

  auto* seed_row = new QHBoxLayout;
  seed_ = new QLineEdit(this);
  seed_->setObjectName(QStringLiteral("seedEdit"));
  seed_->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{1,20}")), seed_));
  dice_ = new QPushButton(tr("New"), this);
  dice_->setObjectName(QStringLiteral("diceButton"));
  dice_->setToolTip(tr("A new random seed"));
  dice_->setFixedWidth(48);
  seed_row->addWidget(seed_, 1);
  seed_row->addWidget(dice_);
  form->addRow(tr("Seed"), seed_row);

  candidates_ = new QSpinBox(this);
  candidates_->setObjectName(QStringLiteral("candidatesSpin"));
  candidates_->setRange(1, 16);
  candidates_->setToolTip(tr("Takes drawn side by side from the same prompt (kept as siblings)"));
  form->addRow(tr("Candidates"), candidates_);
  grammar_ = new QCheckBox(tr("Only well-formed tokens (grammar)"), this);
  grammar_->setObjectName(QStringLiteral("grammarCheck"));
  grammar_->setChecked(true);
  form->addRow(QString(), grammar_);
  scratch_ = new QCheckBox(tr("From scratch (ignore the prompt)"), this);
  scratch_->setObjectName(QStringLiteral("scratchCheck"));
  form->addRow(QString(), scratch_);
  layout->addLayout(form);

  auto* buttons = new QHBoxLayout;
  generate_ = new QPushButton(tr("Generate"), this);
  generate_->setObjectName(QStringLiteral("generateButton"));
  generate_->setDefault(true);
  stop_ = new QPushButton(tr("Stop"), this);
  stop_->setObjectName(QStringLiteral("stopButton"));
  buttons->addWidget(generate_, 1);
  buttons->addWidget(stop_);
  layout->addLayout(buttons);
  progress_ = new QProgressBar(this);
  progress_->setObjectName(QStringLiteral("generationProgress"));
  progress_->setRange(0, 1000);
  progress_->setTextVisible(false);
  layout->addWidget(progress_);
  progress_label_ = new QLabel(this);
  progress_label_->setObjectName(QStringLiteral("progressLabel"));
  layout->addWidget(progress_label_);
  layout->addStretch(1);

  connect(dice_, &QPushButton::clicked, this, &GenerationPanel::rollSeed);
  connect(generate_, &QPushButton::clicked, this, &GenerationPanel::generateRequested);
  connect(stop_, &QPushButton::clicked, this, &GenerationPanel::stopRequested);
  rollSeed();
  setRunning(false);
}

void GenerationPanel::applyModelDefaults(const GenerationRequest& d) { setSampling(d.temperature, d.top_k, d.top_p); grammar_->setChecked(d.use_grammar); }

void GenerationPanel::setSampling(double temperature, int top_k, double top_p) {
  temperature_->setValue(temperature);
  top_k_->setValue(top_k);
  top_p_->setValue(top_p);
}

void GenerationPanel::fillRequest(GenerationRequest& r) const {
  r.length_unit = lengthUnit();
  r.length = length();
  r.temperature = temperature_->value();
  r.top_k = top_k_->value();
  r.top_p = top_p_->value();
  r.seed = seed();
  r.candidates = candidates_->value();
  r.use_grammar = grammar_->isChecked();
}

bool GenerationPanel::fromScratch() const { return scratch_->isChecked(); }
void GenerationPanel::setFromScratch(bool scratch) { scratch_->setChecked(scratch); }

void GenerationPanel::setLength(LengthUnit unit, double length) {
  unit_->setCurrentIndex(unit_->findData(int(unit)));
  length_->setValue(length);
}
LengthUnit GenerationPanel::lengthUnit() const { return LengthUnit(unit_->currentData().toInt()); }
double GenerationPanel::length() const { return length_->value(); }
std::uint64_t GenerationPanel::seed() const { return seed_->text().toULongLong(); }
void GenerationPanel::setSeed(std::uint64_t seed) { seed_->setText(QString::number(seed)); }
void GenerationPanel::setCandidates(int candidates) { candidates_->setValue(candidates); }

void GenerationPanel::rollSeed() { setSeed(QRandomGenerator::global()->bounded(1u, 1000000000u)); }

void GenerationPanel::setRunning(bool running) {
  running_ = running;
  generate_->setEnabled(ready_ && !running);
  stop_->setEnabled(running);
  if (running) {
    progress_->setValue(0);
    progress_label_->setText(tr("Starting…"));
  }
}

void GenerationPanel::setReady(bool ready, const QString& why_not) {
  ready_ = ready;
  generate_->setEnabled(ready_ && !running_);
  generate_->setToolTip(ready ? tr("Generate a take (Ctrl+G)") : why_not);
}

void GenerationPanel::showProgress(double fraction, qulonglong tokens, double rate, double eta) {
  progress_->setValue(int(std::clamp(fraction, 0.0, 1.0) * 1000));
  QString text = tr("%1 tokens · %2 tok/s").arg(tokens).arg(rate, 0, 'f', rate < 10 ? 1 : 0);
  if (eta >= 0) text += tr(" · ETA %1").arg(clock_text(eta));
  progress_label_->setText(text);
}

QString GenerationPanel::progressText() const { return progress_label_->text(); }

}  // namespace spe::ui
