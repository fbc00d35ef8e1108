#include "attention_heatmap.hpp"

#include <QEvent>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>
#include <vector>

#include "plot/colormap.hpp"
#include "track_palette.hpp"

namespace spe::ui {
namespace {

constexpr double kLeftMargin = 46, kTopMargin = 8, kBottomMargin = 30, kRightMargin = 78;
constexpr double kMinLabelGap = 30;  // pixels between two bar labels on an axis

QColor to_qcolor(plot::Rgb c) { return QColor(c.r, c.g, c.b); }

}  // namespace

AttentionHeatmap::AttentionHeatmap(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setMinimumSize(200, 160);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void AttentionHeatmap::setMap(AttentionMap map, std::shared_ptr<const TokenTrace> trace) {
  map_ = std::move(map);
  trace_ = std::move(trace);
  image_ = QImage();
  const std::int64_t n = map_.size();
  if (n > 0 && map_.weights.size() == std::size_t(n * n)) {
    const auto pixels = plot::attention_image(map_.weights, n);
    image_ = QImage(int(n), int(n), QImage::Format_RGB32);
    for (std::int64_t r = 0; r < n; ++r) {
      auto* line = reinterpret_cast<QRgb*>(image_.scanLine(int(r)));
      for (std::int64_t c = 0; c < n; ++c) {
        const plot::Rgb px = pixels[std::size_t(r * n + c)];
        line[c] = qRgb(px.r, px.g, px.b);
      }
    }
  } else {
    map_ = {};
  }
  if (selected_ >= 0 && (selected_ < map_.begin || selected_ >= map_.end)) selected_ = -1;
  update();
}

void AttentionHeatmap::setSelectedToken(std::int64_t position) {
  selected_ = hasMap() && position >= map_.begin && position < map_.end ? position : -1;
  update();
}

QRectF AttentionHeatmap::cellArea() const {
  const double side = std::max(0.0, std::min(width() - kLeftMargin - kRightMargin, height() - kTopMargin - kBottomMargin));
  return {kLeftMargin, kTopMargin, side, side};
}

std::pair<std::int64_t, std::int64_t> AttentionHeatmap::cellAt(QPointF pos) const {
  const QRectF area = cellArea();
  if (!hasMap() || !area.contains(pos) || area.width() <= 0) return {-1, -1};
  const double cell = area.width() / double(map_.size());
  const auto row = std::min<std::int64_t>(map_.size() - 1, std::int64_t((pos.y() - area.top()) / cell));
  const auto col = std::min<std::int64_t>(map_.size() - 1, std::int64_t((pos.x() - area.left()) / cell));
  return {map_.begin + row, map_.begin + col};
}

QPointF AttentionHeatmap::cellCentre(std::int64_t query, std::int64_t key) const {
  const QRectF area = cellArea();
  const double cell = hasMap() ? area.width() / double(map_.size()) : 0;
  return {area.left() + (double(key - map_.begin) + 0.5) * cell, area.top() + (double(query - map_.begin) + 0.5) * cell};
}

QString AttentionHeatmap::describeToken(std::int64_t i) const {
  if (!trace_ || i < 0 || std::size_t(i) >= trace_->size()) return QStringLiteral("#%1").arg(i);
  const auto k = std::size_t(i);
  const int tpb = std::max(1, trace_->ticks_per_beat);
  const music::Tick bar_start = music::Tick(trace_->bar[k]) * 4 * tpb;  // both schemes count 4-beat bars
  const double beat = 1.0 + double(trace_->tick[k] - bar_start) / tpb;
  QString text = QStringLiteral("#%1 · bar %2 · beat %3 · %4")
                     .arg(i)
                     .arg(trace_->bar[k] + 1)
                     .arg(beat, 0, 'f', 2)
                     .arg(QString::fromStdString(trace_->tokenName(k)));
  if (k < trace_->prompt_length) text += tr(" (prompt)");
  return text;
}

QString AttentionHeatmap::describeCell(std::int64_t query, std::int64_t key) const {
  if (!hasMap() || query < map_.begin || query >= map_.end || key < map_.begin || key >= map_.end) return {};
  QString text = tr("query %1\nkey %2").arg(describeToken(query), describeToken(key));
  if (key > query) return text + tr("\n(future: masked)");
  const float w = map_.at(query - map_.begin, key - map_.begin);
  const double uniform = 1.0 / double(query - map_.begin + 1);
  return text + tr("\nattention %1 (%2× uniform)").arg(double(w), 0, 'g', 4).arg(double(w) / uniform, 0, 'f', 1);
}

void AttentionHeatmap::paintEvent(QPaintEvent*) {
  QPainter p(this);
  const auto& colours = piano_roll_colors();
  p.fillRect(rect(), colours.white_key_row);
  const QRectF cells = cellArea();
  if (!hasMap() || cells.width() < 2) {
    p.setPen(colours.ruler_text);
    p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, tr("No attention to show"));
    return;
  }
  // Nearest-neighbour scaling keeps one colour per cell at any zoom, as in the exported PNG.
  p.setRenderHint(QPainter::SmoothPixmapTransform, false);
  p.drawImage(cells, image_);

  const double cell = cells.width() / double(map_.size());
  if (trace_ && trace_->train_len > map_.begin && trace_->train_len < map_.end) {
    const double at = double(trace_->train_len - map_.begin) * cell;
    QPen pen(colours.training_marker, 1, Qt::DashLine);
    p.setPen(pen);
    p.drawLine(QPointF(cells.left() + at, cells.top()), QPointF(cells.left() + at, cells.bottom()));
    p.drawLine(QPointF(cells.left(), cells.top() + at), QPointF(cells.right(), cells.top() + at));
  }
  if (selected_ >= 0) {
    const double y = cells.top() + double(selected_ - map_.begin) * cell;
    p.setPen(QPen(colours.white_key, 1));
    p.setBrush(Qt::NoBrush);
    p.drawRect(QRectF(cells.left(), y, cells.width(), std::max(cell, 1.0)).adjusted(-1, -1, 0, 0));
  }
  paintAxes(p, cells);
  paintColourBar(p, cells);
}

void AttentionHeatmap::paintAxes(QPainter& p, const QRectF& cells) const {
  const auto& colours = piano_roll_colors();
  QFont font = p.font();
  font.setPixelSize(10);
  p.setFont(font);
  p.setPen(colours.ruler_text);
  if (!trace_) return;
  const double cell = cells.width() / double(map_.size());
  double last_x = -1e9, last_y = -1e9;
  for (std::int64_t i = map_.begin; i < map_.end && std::size_t(i) < trace_->size(); ++i) {
    const auto k = std::size_t(i);
    if (i != map_.begin && trace_->bar[k] == trace_->bar[k - 1]) continue;
    const double offset = double(i - map_.begin) * cell;
    const QString label = QString::number(trace_->bar[k] + 1);
    if (cells.left() + offset - last_x >= kMinLabelGap) {
      p.drawLine(QPointF(cells.left() + offset, cells.bottom()), QPointF(cells.left() + offset, cells.bottom() + 4));
      p.drawText(QRectF(cells.left() + offset - 20, cells.bottom() + 4, 40, 12), Qt::AlignCenter, label);
      last_x = cells.left() + offset;
    }
    if (cells.top() + offset - last_y >= kMinLabelGap / 2) {
      p.drawLine(QPointF(cells.left() - 4, cells.top() + offset), QPointF(cells.left(), cells.top() + offset));
      p.drawText(QRectF(0, cells.top() + offset - 6, cells.left() - 6, 12), Qt::AlignRight | Qt::AlignVCenter, label);
      last_y = cells.top() + offset;
    }
  }
  p.drawText(QRectF(cells.left(), cells.bottom() + 16, cells.width(), 12), Qt::AlignCenter,
             tr("key (bar) · tokens %1–%2").arg(map_.begin).arg(map_.end - 1));
}

void AttentionHeatmap::paintColourBar(QPainter& p, const QRectF& cells) const {
  const auto& colours = piano_roll_colors();
  const QRectF bar(cells.right() + 12, cells.top(), 12, cells.height());
  for (int y = 0; y < int(bar.height()); ++y) {
    const double t = 1.0 - double(y) / std::max(1.0, bar.height() - 1);
    p.fillRect(QRectF(bar.left(), bar.top() + y, bar.width(), 1), to_qcolor(plot::heat_colour(t)));
  }
  // Ticks in probabilities, on the scale of the window's longest row.
  const std::int64_t n = map_.size();
  p.setPen(colours.ruler_text);
  std::vector<double> used;  // label positions so far: labels must not overlap (uniform 1/n comes first)
  for (double w : {1.0 / double(n), 1.0, 0.0, 0.1, 0.01}) {
    const double t = plot::attention_scale(w, n);
    const double y = bar.bottom() - t * bar.height();
    if (std::any_of(used.begin(), used.end(), [y](double u) { return std::abs(u - y) < 11; })) continue;
    used.push_back(y);
    p.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 3, y));
    const QString label = w == 1.0 / double(n) ? tr("1/%1").arg(n) : QString::number(w, 'g', 2);
    p.drawText(QRectF(bar.right() + 5, y - 6, kRightMargin - 30, 12), Qt::AlignLeft | Qt::AlignVCenter, label);
  }
}

void AttentionHeatmap::mousePressEvent(QMouseEvent* event) {
  const auto [query, key] = cellAt(event->position());
  if (event->button() == Qt::LeftButton && query >= 0) {
    setSelectedToken(query);
    Q_EMIT tokenClicked(query);
    event->accept();
    return;
  }
  QWidget::mousePressEvent(event);
}

bool AttentionHeatmap::event(QEvent* event) {
  if (event->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(event);
    const auto [query, key] = cellAt(help->pos());
    if (query >= 0)
      QToolTip::showText(help->globalPos(), describeCell(query, key), this);
    else
      QToolTip::hideText();
    return true;
  }
  return QWidget::event(event);
}

}  // namespace spe::ui
