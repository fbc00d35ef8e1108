#include "chart_style.hpp"

#include <QChart>
#include <QLegend>
#include <QLineSeries>
#include <QPen>
#include <QValueAxis>

#include "track_palette.hpp"

namespace spe::ui {

QChart* make_dark_chart(int margin) {
  auto* chart = new QChart;
  chart->setTheme(QChart::ChartThemeDark);
  chart->setBackgroundBrush(piano_roll_colors().white_key_row);
  chart->legend()->setAlignment(Qt::AlignTop);
  chart->setMargins(QMargins(margin, margin, margin, margin));
  return chart;
}

QLineSeries* add_line_series(QChart* chart, const QString& name, const QColor& colour, qreal width,
                             Qt::PenStyle style) {
  auto* s = new QLineSeries(chart);
  s->setName(name);
  QPen pen(colour);
  pen.setWidthF(width);
  pen.setStyle(style);
  s->setPen(pen);
  chart->addSeries(s);
  for (QAbstractAxis* axis : chart->axes()) s->attachAxis(axis);
  return s;
}

QLineSeries* add_training_length_marker(QChart* chart, const QString& name, qreal width) {
  return add_line_series(chart, name, piano_roll_colors().training_marker, width, Qt::DashLine);
}

std::pair<QValueAxis*, QValueAxis*> attach_value_axes(QChart* chart, const QString& x_title,
                                                      const QString& y_title) {
  auto* x = new QValueAxis(chart);
  x->setTitleText(x_title);
  x->setLabelFormat(QStringLiteral("%d"));
  auto* y = new QValueAxis(chart);
  y->setTitleText(y_title);
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  for (QAbstractSeries* s : chart->series()) {
    s->attachAxis(x);
    s->attachAxis(y);
  }
  return {x, y};
}

}  // namespace spe::ui
