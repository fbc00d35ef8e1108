#pragma once
// The Attention dock: the heatmap of the selected take for a chosen layer and head (or the mean over
// heads) over a window of its tokens, computed by the engine from the take's own model seed on a worker
// thread (never on the UI thread), with Export PNG / CSV. Selecting a row (a click in the heatmap, or a
// note clicked in the piano roll through focusToken) reports the keys that row attends to most.

#include <QList>
#include <QSize>
#include <QString>
#include <QWidget>
#include <memory>

#include "generation_engine.hpp"

class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace spe::ui {

class AttentionHeatmap;

class AttentionView : public QWidget {
  Q_OBJECT

 public:
  explicit AttentionView(QWidget* parent = nullptr);
  QSize sizeHint() const override { return {640, 300}; }  // the docks' height under the roll
  ~AttentionView() override;

  // The engine that computes the maps (the loaded model); null: nothing can be computed.
  void setEngine(std::shared_ptr<GenerationEngine> engine);
  // The take to show (null clears the view). Keeps the layer / head / window size the user chose.
  void setTake(std::shared_ptr<const TokenTrace> trace);
  const TokenTrace* trace() const { return trace_.get(); }

  // Moves the window so that it holds `position` (centred where the take allows) and selects its row.
  void focusToken(std::int64_t position);
  void setLayer(int layer);  // 0-based
  void setHead(int head);    // 0-based, -1: mean over heads
  void setWindow(std::int64_t begin, std::int64_t size);
  std::int64_t windowBegin() const;
  std::int64_t windowSize() const;

  bool isComputing() const { return running_; }
  AttentionHeatmap* heatmap() const { return heatmap_; }
  QString statusText() const;

  bool exportPng(const QString& path, QString* error = nullptr) const;  // one pixel per cell
  bool exportCsv(const QString& path, QString* error = nullptr) const;  // the CLI's CSV format

  // The keys row `query` attends to most (up to `count`, strongest first) in the shown map.
  QList<qint64> strongestKeys(std::int64_t query, int count) const;

 Q_SIGNALS:
  void mapReady();                                          // a requested map arrived and is shown
  void attendedTokens(qint64 query, const QList<qint64>& keys);  // a row was selected
  void errorOccurred(const QString& message);

 private:
  void refresh();  // recomputes the map for the current controls (latest request wins)
  void startJob();
  void selectRow(std::int64_t query);
  void updateControls();

  std::shared_ptr<GenerationEngine> engine_;
  std::shared_ptr<const TokenTrace> trace_;
  QSpinBox* layer_ = nullptr;
  QComboBox* head_ = nullptr;
  QComboBox* size_ = nullptr;
  QSpinBox* begin_ = nullptr;
  QPushButton* at_training_ = nullptr;
  QPushButton* export_png_ = nullptr;
  QPushButton* export_csv_ = nullptr;
  QLabel* status_ = nullptr;
  AttentionHeatmap* heatmap_ = nullptr;
  bool running_ = false;
  bool pending_ = false;   // controls changed while a job ran: run again when it ends
  std::int64_t pending_select_ = -1;
};

}  // namespace spe::ui
