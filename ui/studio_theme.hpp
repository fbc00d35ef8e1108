#pragma once
// The application's look: Qt's Fusion style with a dark palette that matches the piano roll, so the
// app looks the same on every desktop (and in offscreen screenshots).

class QApplication;

namespace spe::ui {

void apply_studio_theme(QApplication& app);

}  // namespace spe::ui
