#include "studio_theme.hpp"

#include <QApplication>
#include <QPalette>
#include <QStyleFactory>

namespace spe::ui {

void apply_studio_theme(QApplication& app) {
  app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
  const QColor window(0x2a, 0x2c, 0x34);
  const QColor base(0x1f, 0x21, 0x28);
  const QColor text(0xdc, 0xdf, 0xe6);
  const QColor accent(0x4f, 0xc3, 0xf7);
  QPalette p;
  p.setColor(QPalette::Window, window);
  p.setColor(QPalette::WindowText, text);
  p.setColor(QPalette::Base, base);
  p.setColor(QPalette::AlternateBase, window);
  p.setColor(QPalette::ToolTipBase, QColor(0x33, 0x36, 0x40));
  p.setColor(QPalette::ToolTipText, text);
  p.setColor(QPalette::PlaceholderText, QColor(0x80, 0x84, 0x90));
  p.setColor(QPalette::Text, text);
  p.setColor(QPalette::Button, QColor(0x33, 0x36, 0x40));
  p.setColor(QPalette::ButtonText, text);
  p.setColor(QPalette::BrightText, QColor(0xff, 0x52, 0x52));
  p.setColor(QPalette::Light, QColor(0x45, 0x48, 0x54));
  p.setColor(QPalette::Midlight, QColor(0x3a, 0x3d, 0x48));
  p.setColor(QPalette::Mid, QColor(0x24, 0x26, 0x2e));
  p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1e));
  p.setColor(QPalette::Shadow, QColor(0x10, 0x10, 0x14));
  p.setColor(QPalette::Highlight, accent.darker(140));
  p.setColor(QPalette::HighlightedText, Qt::white);
  p.setColor(QPalette::Link, accent);
  for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
    p.setColor(QPalette::Disabled, role, QColor(0x6c, 0x70, 0x7c));
  app.setPalette(p);
}

}  // namespace spe::ui
