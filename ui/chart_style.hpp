#pragma once
// The studio's Qt Charts look, shared by the curves, loss-vs-position, templates and compare views: a dark
// chart on the piano roll's background, thin or bold line series, the dashed training-length marker and an
// integer token axis.

#include <QColor>
#include <QString>
#include <utility>

class QChart;
class QLineSeries;
class QValueAxis;

namespace spe::ui {

// Dark theme, the roll's background, the legend on top, `margin` pixels around the plot.
QChart* make_dark_chart(int margin = 4);

// A line series in one pen, added to `chart` and attached to the axes it already has (none yet: see
// attach_value_axes).
QLineSeries* add_line_series(QChart* chart, const QString& name, const QColor& colour, qreal width,
                             Qt::PenStyle style = Qt::SolidLine);

// The dashed line at a training length, in the roll's training-marker colour; the caller sets its two points.
QLineSeries* add_training_length_marker(QChart* chart, const QString& name, qreal width = 1.5);

// x (integer labels) at the bottom, y at the left, both attached to every series the chart has so far.
std::pair<QValueAxis*, QValueAxis*> attach_value_axes(QChart* chart, const QString& x_title,
                                                      const QString& y_title);

}  // namespace spe::ui
