// `spe-studio`: the desktop application. Thin: parses the command line, applies the theme, opens the
// main window. `--screenshot OUT.png FILE.mid` renders the window offscreen with FILE loaded and exits
// (docs and CI smoke tests).
#include <QApplication>
#include <QCommandLineParser>
#include <QImage>
#include <QSaveFile>
#include <QSettings>
#include <QTemporaryDir>
#include <cstdio>
#include <cstring>

#include "main_window.hpp"
#include "studio_theme.hpp"

namespace {

bool wants_screenshot(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--screenshot") == 0 || std::strncmp(argv[i], "--screenshot=", 13) == 0) return true;
  return false;
}

int fail(const QString& message) {
  std::fprintf(stderr, "spe-studio: %s\n", message.toLocal8Bit().constData());
  return 2;
}

// Renders `window` into `path` as PNG via a temporary file, so a reader never sees half an image.
bool save_screenshot(QWidget& window, const QString& path, QString& error) {
  const QImage image = window.grab().toImage();
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) {
    error = path + ": " + file.errorString();
    return false;
  }
  if (!image.save(&file, "PNG") || !file.commit()) {
    error = path + ": cannot write PNG: " + file.errorString();
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const bool screenshot = wants_screenshot(argc, argv);
  // A screenshot needs no display: pick the offscreen platform before Qt looks for one.
  if (screenshot && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");

  QApplication app(argc, argv);
  // A screenshot run must not touch the user's settings (window geometry, recent files).
  QTemporaryDir screenshot_settings;
  if (screenshot) {
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, screenshot_settings.path());
  }
  QApplication::setOrganizationName(QStringLiteral("spe-studio"));
  QApplication::setApplicationName(QStringLiteral("SPE Studio"));
  QApplication::setApplicationVersion(QStringLiteral(SPE_VERSION));
  spe::ui::apply_studio_theme(app);

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("SPE Studio — music generation with Performers and SPE"));
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption screenshot_option(QStringLiteral("screenshot"),
                                       QStringLiteral("Render the window with FILE loaded to OUT.png and exit."),
                                       QStringLiteral("OUT.png"));
  QCommandLineOption size_option(QStringLiteral("size"), QStringLiteral("Screenshot size (default 1400x860)."),
                                 QStringLiteral("WxH"), QStringLiteral("1400x860"));
  parser.addOption(screenshot_option);
  parser.addOption(size_option);
  parser.addPositionalArgument(QStringLiteral("FILE.mid"), QStringLiteral("MIDI file to open as the prompt."));
  parser.process(app);
  const QStringList files = parser.positionalArguments();
  if (files.size() > 1) return fail(QStringLiteral("expected at most one MIDI file, got %1").arg(files.size()));

  spe::ui::MainWindow window;
  if (parser.isSet(screenshot_option)) {
    if (files.isEmpty()) return fail(QStringLiteral("--screenshot needs a MIDI file to show"));
    const QStringList size = parser.value(size_option).split(QLatin1Char('x'));
    bool ok_w = false, ok_h = false;
    const int w = size.size() == 2 ? size[0].toInt(&ok_w) : 0;
    const int h = size.size() == 2 ? size[1].toInt(&ok_h) : 0;
    if (!ok_w || !ok_h || w < 400 || h < 300 || w > 8000 || h > 8000)
      return fail(QStringLiteral("--size must be WxH between 400x300 and 8000x8000, got '%1'")
                      .arg(parser.value(size_option)));
    window.resize(w, h);
    window.show();  // lays out the docks and the piano roll at their real sizes
    QApplication::processEvents();
    if (!window.openFile(files.front())) return fail(window.lastError());
    QApplication::processEvents();
    QString error;
    if (!save_screenshot(window, parser.value(screenshot_option), error)) return fail(error);
    return 0;
  }

  window.show();
  if (!files.isEmpty()) window.openFile(files.front());
  return app.exec();
}
