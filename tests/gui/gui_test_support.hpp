#pragma once
// Helpers shared by the GUI tests: where screenshots go and how pixels are compared.

#include <QApplication>
#include <QColor>
#include <QImage>
#include <QMouseEvent>
#include <QString>
#include <QWidget>
#include <catch2/catch.hpp>
#include <filesystem>

#include "test_paths.hpp"

namespace spe::test {

// build/test-scratch/gui (created, never wiped: every test adds its screenshots to it).
inline std::filesystem::path gui_scratch() {
  auto dir = binary_dir() / "test-scratch" / "gui";
  std::filesystem::create_directories(dir);
  return dir;
}

// Renders `widget` exactly as it would appear on screen and saves it as gui_scratch()/name for a human
// to look at.
inline QImage grab_and_save(QWidget& widget, const std::string& name) {
  QImage image = widget.grab().toImage().convertToFormat(QImage::Format_RGB32);
  image.save(QString::fromStdString((gui_scratch() / name).string()));
  return image;
}

inline QColor pixel(const QImage& image, QPoint p) { return QColor(image.pixel(p)); }

// A left click (press + release) at `pos` in `widget`'s coordinates, delivered as the window system would.
inline void left_click(QWidget* widget, QPoint pos) {
  const QPointF local(pos), global(widget->mapToGlobal(pos));
  QMouseEvent press(QEvent::MouseButtonPress, local, global, Qt::LeftButton, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(widget, &press);
  QMouseEvent release(QEvent::MouseButtonRelease, local, global, Qt::LeftButton, Qt::NoButton, Qt::NoModifier);
  QApplication::sendEvent(widget, &release);
}

}  // namespace spe::test

namespace Catch {
template <>
struct StringMaker<QColor> {
  static std::string convert(const QColor& c) { return c.name(QColor::HexArgb).toStdString(); }
};
}  // namespace Catch

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>

namespace spe::test {

// Runs the event loop until `done()` or `timeout_ms` passes; returns done(). (Qt Test is not linked.)
template <class Predicate>
bool process_events_until(Predicate done, int timeout_ms = 20000) {
  QElapsedTimer timer;
  timer.start();
  while (!done() && timer.elapsed() < timeout_ms) {
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    QThread::msleep(1);
  }
  return done();
}

}  // namespace spe::test
