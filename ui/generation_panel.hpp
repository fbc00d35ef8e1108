#pragma once
// The generation panel: length (tokens / bars / seconds), sampling (temperature, top-k, top-p), seed with
// a dice button, candidates, grammar, from scratch; Generate / Stop; progress with tokens/s and ETA.

#include <QWidget>
#include <cstdint>

#include "generation_engine.hpp"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace spe::ui {

class GenerationPanel : public QWidget {
  Q_OBJECT

 public:
  explicit GenerationPanel(QWidget* parent = nullptr);

  // The model's defaults (temperature, top-k, top-p, grammar); length, seed and candidates are kept.
  void applyModelDefaults(const GenerationRequest& defaults);
  // The panel's settings written into `request` (length, sampling, seed, candidates, grammar).
  void fillRequest(GenerationRequest& request) const;
  bool fromScratch() const;
  void setFromScratch(bool scratch);

  void setLength(LengthUnit unit, double length);
  LengthUnit lengthUnit() const;
  double length() const;
  std::uint64_t seed() const;
  void setSeed(std::uint64_t seed);
  void setCandidates(int candidates);
  void setSampling(double temperature, int top_k, double top_p);
  // A fresh random seed (the dice button).
  void rollSeed();

  void setRunning(bool running);
  void setReady(bool ready, const QString& why_not = {});
  void showProgress(double fraction, qulonglong tokens, double tokens_per_second, double eta_seconds);
  QString progressText() const;

 Q_SIGNALS:
  void generateRequested();
  void stopRequested();

 private:
  QComboBox* unit_ = nullptr;
  QDoubleSpinBox* length_ = nullptr;
  QDoubleSpinBox* temperature_ = nullptr;
  QSpinBox* top_k_ = nullptr;
  QDoubleSpinBox* top_p_ = nullptr;
  QLineEdit* seed_ = nullptr;
  QPushButton* dice_ = nullptr;
  QSpinBox* candidates_ = nullptr;
  QCheckBox* grammar_ = nullptr;
  QCheckBox* scratch_ = nullptr;
  QPushButton* generate_ = nullptr;
  QPushButton* stop_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* progress_label_ = nullptr;
  bool ready_ = false, running_ = false;
};

}  // namespace spe::ui
