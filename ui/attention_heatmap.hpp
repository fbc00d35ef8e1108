#pragma once
// The attention heatmap (paper Fig. 1): one cell per (query, key) token pair of a window of a take,
// coloured with core/plot's colour map on its log-like scale (the CLI's `spe attention` PNG draws the same
// pixels), a colour bar, token axes labelled with bars, the model's training length drawn as a line on
// both axes, a tooltip naming the two tokens under the cursor, and a selected query row.

#include <QImage>
#include <QWidget>
#include <memory>

#include "generation_engine.hpp"

namespace spe::ui {

class AttentionHeatmap : public QWidget {
  Q_OBJECT

 public:
  explicit AttentionHeatmap(QWidget* parent = nullptr);

  // Shows `map` of the take whose tokens are `trace` (kept for the labels); an empty map clears the view.
  void setMap(AttentionMap map, std::shared_ptr<const TokenTrace> trace);
  const AttentionMap& map() const { return map_; }
  bool hasMap() const { return !map_.weights.empty(); }
  const QImage& image() const { return image_; }  // one pixel per cell, before scaling to the widget

  // The highlighted query row (a take position inside the window), -1 for none.
  void setSelectedToken(std::int64_t position);
  std::int64_t selectedToken() const { return selected_; }

  // Geometry in widget coordinates (public for tests): the cell area and the cell under a point.
  QRectF cellArea() const;
  // {query position, key position} of the cell at `pos` (take positions), or {-1, -1} outside.
  std::pair<std::int64_t, std::int64_t> cellAt(QPointF pos) const;
  QPointF cellCentre(std::int64_t query, std::int64_t key) const;
  QString describeCell(std::int64_t query, std::int64_t key) const;  // the tooltip text
  QString describeToken(std::int64_t position) const;

 Q_SIGNALS:
  void tokenClicked(qint64 position);  // the query row of a clicked cell

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  bool event(QEvent* event) override;  // tooltips

 private:
  void paintAxes(QPainter& p, const QRectF& cells) const;
  void paintColourBar(QPainter& p, const QRectF& cells) const;

  AttentionMap map_;
  std::shared_ptr<const TokenTrace> trace_;
  QImage image_;
  std::int64_t selected_ = -1;
};

}  // namespace spe::ui
