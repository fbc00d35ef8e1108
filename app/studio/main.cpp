// `spe-studio`: the desktop application. Thin: parses the command line, applies the theme, wires the
// engine (model catalog over core/generate) and the session autosave into the main window.
// `--generate` starts a take at once; `--screenshot OUT.png FILE.mid` renders the window offscreen with
// FILE loaded (after the takes asked for, with --generate) and exits (docs and CI smoke tests).
#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QImage>
#include <QSaveFile>
#include <QSettings>
#include <QTemporaryDir>
#include <cstdio>
#include <cstring>

#include <QFileInfo>
#include <QMessageBox>
#include <QTimer>
#include <chrono>
#include <memory>

#include "attention_view.hpp"
#include "generate/allocator.hpp"
#include "generation_panel.hpp"
#include "main_window.hpp"
#include "session_store.hpp"
#include "studio_catalog.hpp"
#if SPE_WITH_AUDIO
#include "studio_playback.hpp"
#endif
#include "studio_theme.hpp"
#include "takes_panel.hpp"

namespace {

bool wants_screenshot(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--screenshot") == 0 || std::strncmp(argv[i], "--screenshot=", 13) == 0) return true;
  return false;
}

// Qt aborts without a display; say so in one line instead (exit 2), unless a platform is chosen.
bool has_display() {
  return !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") || !qEnvironmentVariableIsEmpty("DISPLAY") ||
         !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
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
  const auto process_start = std::chrono::steady_clock::now();  // SPE_STUDIO_TIMING counts from here
  const bool screenshot = wants_screenshot(argc, argv);
  // A screenshot needs no display: pick the offscreen platform before Qt looks for one.
  if (screenshot && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  bool help = false;
  for (int i = 1; i < argc; ++i)
    help = help || !std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h") || !std::strcmp(argv[i], "--version");
  if (!has_display() && !help) {
    std::fprintf(stderr, "spe-studio: no display (DISPLAY and WAYLAND_DISPLAY are unset): run it in a desktop session, "
                         "or use the `spe` CLI (e.g. spe generate) headless\n");
    return 2;
  }

  spe::generate::keep_freed_blocks_for_reuse();
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
  // Ties the windows to the installed .desktop entry (Wayland app id, taskbar grouping and icon) and
  // takes the icon from the theme where `cmake --install` put it.
  QGuiApplication::setDesktopFileName(QStringLiteral("io.github.spe_studio.SpeStudio"));
  QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("spe-studio")));
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
  QCommandLineOption generate_option(QStringLiteral("generate"),
                                     QStringLiteral("Start a take at once (with the default or last model)."));
  QCommandLineOption takes_option(QStringLiteral("takes"), QStringLiteral("With --generate: takes in a row (default 1)."),
                                  QStringLiteral("N"), QStringLiteral("1"));
  QCommandLineOption bars_option(QStringLiteral("bars"), QStringLiteral("Length of each take in bars."), QStringLiteral("N"));
  QCommandLineOption seed_option(QStringLiteral("seed"), QStringLiteral("Seed of the first take."), QStringLiteral("S"));
  QCommandLineOption model_option(QStringLiteral("model"), QStringLiteral("Model folder to load."), QStringLiteral("DIR"));
  QCommandLineOption restore_option(QStringLiteral("restore"),
                                    QStringLiteral("Restore an interrupted session without asking."));
  QCommandLineOption no_restore_option(QStringLiteral("no-restore"),
                                       QStringLiteral("Start a new session (an interrupted one is discarded)."));
  QCommandLineOption export_option(QStringLiteral("export"),
                                   QStringLiteral("With --generate --screenshot: also export the last take to OUT.mid "
                                                  "(as File > Export MIDI does, recipe included)."),
                                   QStringLiteral("OUT.mid"));
  parser.addOption(screenshot_option);
  parser.addOption(export_option);
  parser.addOption(size_option);
  parser.addOption(generate_option);
  parser.addOption(takes_option);
  parser.addOption(bars_option);
  parser.addOption(seed_option);
  parser.addOption(model_option);
  parser.addOption(restore_option);
  parser.addOption(no_restore_option);
  parser.addPositionalArgument(QStringLiteral("FILE.mid"), QStringLiteral("MIDI file to open as the prompt."));
  parser.process(app);
  const QStringList files = parser.positionalArguments();
  if (files.size() > 1) return fail(QStringLiteral("expected at most one MIDI file, got %1").arg(files.size()));
  if (parser.isSet(export_option) && !(parser.isSet(generate_option) && parser.isSet(screenshot_option)))
    return fail(QStringLiteral("--export needs --generate and --screenshot"));

  const auto t_start = process_start;
  spe::ui::MainWindow window;
  auto catalog = std::make_shared<spe::studio::StudioCatalog>(
      spe::studio::StudioCatalog::defaultRoots(QCoreApplication::applicationFilePath().toStdString()));
  window.setModelCatalog(catalog, parser.value(model_option));
#if SPE_WITH_AUDIO
  window.setPlaybackEngine(std::make_shared<spe::studio::StudioPlayback>());
#endif
  if (parser.isSet(bars_option)) window.generationPanel()->setLength(spe::ui::LengthUnit::Bars, parser.value(bars_option).toDouble());
  if (parser.isSet(seed_option)) window.generationPanel()->setSeed(parser.value(seed_option).toULongLong());
  if (!screenshot) {
    auto store = std::make_shared<spe::ui::SessionStore>();
    bool restore = false;
    if (store->wasInterrupted() && !parser.isSet(no_restore_option)) {
      restore = parser.isSet(restore_option) ||
                QMessageBox::question(nullptr, QStringLiteral("SPE Studio"),
                                      QStringLiteral("SPE Studio did not close properly last time. "
                                                     "Restore its prompt and takes?")) == QMessageBox::Yes;
    }
    // A session not restored is replaced by this one (its files would otherwise linger beside the new takes).
    if (!restore) store->clear();
    window.setSessionStore(store);
    if (restore) window.restoreSession();
    QObject::connect(&app, &QCoreApplication::aboutToQuit, [store] { store->markClosed(); });
  }

  const int takes = std::max(1, parser.value(takes_option).toInt());
  auto started = std::make_shared<int>(0);
  auto start_take = [&window, started] {
    ++*started;
    window.generate();
  };
  if (parser.isSet(generate_option)) {
    // Next take when one finishes, until --takes are done; then a screenshot run saves and exits.
    QObject::connect(&window, &spe::ui::MainWindow::takeFinished, &window, [&, started, takes] {
      if (*started < takes) {
        QTimer::singleShot(0, &window, start_take);
      } else if (parser.isSet(screenshot_option)) {
        QApplication::processEvents();
        if (parser.isSet(export_option) && !window.exportMidi(parser.value(export_option))) {
          fail(window.lastError());
          QApplication::exit(2);
          return;
        }
        auto shoot = [&window, &parser, &screenshot_option] {
          QApplication::processEvents();
          QString error;
          QApplication::exit(save_screenshot(window, parser.value(screenshot_option), error) ? 0 : (fail(error), 2));
        };
        // The attention of the new take is computed on a worker: show it in the screenshot.
        spe::ui::AttentionView* attention = window.attentionView();
        if (attention && attention->isComputing()) {
          QObject::connect(attention, &spe::ui::AttentionView::mapReady, &window, shoot, Qt::SingleShotConnection);
          QObject::connect(attention, &spe::ui::AttentionView::errorOccurred, &window, shoot, Qt::SingleShotConnection);
        } else {
          shoot();
        }
      }
    });
  }

  // SPE_STUDIO_TIMING=1 also reports each attention map the Attention dock computes (its status line).
  if (qEnvironmentVariableIntValue("SPE_STUDIO_TIMING") == 1 && window.attentionView())
    QObject::connect(window.attentionView(), &spe::ui::AttentionView::mapReady, &window, [&window] {
      std::fprintf(stderr, "spe-studio: attention %s\n", window.attentionView()->statusText().toLocal8Bit().constData());
    });

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
    if (parser.isSet(generate_option)) {
      if (!window.generationController()) return fail(window.lastError().isEmpty() ? QStringLiteral("no model loaded") : window.lastError());
      start_take();
      return app.exec();
    }
    QString error;
    if (!save_screenshot(window, parser.value(screenshot_option), error)) return fail(error);
    return 0;
  }

  window.show();
  if (!files.isEmpty()) window.openFile(files.front());
  // SPE_STUDIO_TIMING=1: how long until the window is up with its model ready (docs/results/gui-latency.md).
  if (qEnvironmentVariableIntValue("SPE_STUDIO_TIMING") == 1)
    std::fprintf(stderr, "spe-studio: window shown with %s ready in %.2f s\n",
               window.loadedModelPath().isEmpty() ? "no model" : QFileInfo(window.loadedModelPath()).fileName().toLocal8Bit().constData(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count());
  if (parser.isSet(generate_option)) QTimer::singleShot(0, &window, start_take);
  return app.exec();
}
