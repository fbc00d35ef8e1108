// The transport and audio export as a musician uses them, with the real playback engine (core/playback):
// play / pause / seek / loop / stop through the virtual MIDI port "SPE Studio" on a private dummy JACK
// server, playing a take while it is still being generated, a port that vanishes mid-play, a missing
// soundfont, Export audio (FluidSynth's renderer) with cancel, and the Settings dialog.
#if SPE_WITH_AUDIO
#include <RtMidi.h>

#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QProgressDialog>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <catch2/catch.hpp>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include "../playback/jack_server.hpp"
#include "../playback/wav_file.hpp"
#include "generation_controller.hpp"
#include "generation_panel.hpp"
#include "gui_test_support.hpp"
#include "main_window.hpp"
#include "music/tempo_map.hpp"
#include "piano_roll_view.hpp"
#include "playback/soundfont.hpp"
#include "prompt_panel.hpp"
#include "settings_dialog.hpp"
#include "studio_catalog.hpp"
#include "studio_playback.hpp"
#include "take.hpp"
#include "takes_panel.hpp"
#include "timeline.hpp"
#include "transport_bar.hpp"

using namespace spe::ui;
namespace fs = std::filesystem;

namespace {

QString prompt_path() {
  return QString::fromStdString((spe::test::source_dir() / "resources" / "prompts" / "pop909_001.mid").string());
}

void ignore_rtmidi_error(RtMidiError::Type, const std::string&, void*) {}

// A window with the prompt open and playback through the virtual port on `server`'s JACK.
struct PlayingWindow {
  MainWindow window;
  std::shared_ptr<spe::studio::StudioPlayback> playback = std::make_shared<spe::studio::StudioPlayback>("", "jack");
  explicit PlayingWindow(const QString& output = QStringLiteral("virtual")) {
    QSettings().setValue("playback/output", output);
    QSettings().setValue("playback/soundfont", QString());
    window.resize(1400, 860);
    window.show();
    window.setPlaybackEngine(playback);
    REQUIRE(window.openFile(prompt_path()));
  }
  TransportBar& transport() { return *window.transport(); }
};

double seconds_at_bar(const spe::music::Score& s, int bar) { return spe::music::TempoMap(s).seconds_at(bar_start_tick(s, bar)); }

}  // namespace

TEST_CASE("transport: play, space, seek from the ruler, loop a bar range and stop, with the playhead following", "[gui]") {
  spe::test::JackServer server;
  if (!server.available()) {
    WARN("SKIPPED: jackd not installed (apt install jackd1)");
    return;
  }
  REQUIRE(server.ok());
  PlayingWindow w;
  TransportBar& t = w.transport();
  CHECK(t.playAction()->shortcut() == QKeySequence(Qt::Key_Space));
  CHECK(t.playAction()->isEnabled());
  {  // The loop range starts as the whole score, so Loop alone loops everything.
    const auto* from = t.findChild<QSpinBox*>(QStringLiteral("loopFromSpin"));
    const auto* to = t.findChild<QSpinBox*>(QStringLiteral("loopToSpin"));
    REQUIRE((from && to));
    CHECK(from->value() == 1);
    CHECK(to->value() == spe::ui::bar_count(w.window.pianoRoll()->score()));
    CHECK(to->value() > 1);
  }

  t.playAction()->trigger();  // what Space does
  REQUIRE(t.state() == PlaybackEngine::State::Playing);
  CHECK(w.playback->outputId() == "virtual");
  CHECK(QString::fromStdString(w.playback->outputName()).contains(QStringLiteral("SPE Studio")));
  REQUIRE(spe::test::process_events_until([&] { return w.playback->position() > 0.5; }, 5000));
  // The roll's playhead is the transport's, in ticks of the shown score.
  spe::test::process_events_until([] { return false; }, 100);
  const auto& score = w.window.pianoRoll()->score();
  const spe::music::TempoMap map(score);
  CHECK(w.window.pianoRoll()->playheadTick() > 0);
  CHECK(std::abs(map.seconds_at(w.window.pianoRoll()->playheadTick()) - w.playback->position()) < 0.25);
  CHECK(t.positionText().startsWith(QStringLiteral("Bar ")));

  t.playAction()->trigger();  // pause keeps the position
  CHECK(t.state() == PlaybackEngine::State::Paused);
  const double paused_at = w.playback->position();
  spe::test::process_events_until([] { return false; }, 200);
  CHECK(w.playback->position() == Approx(paused_at));

  // A click in the ruler at bar 40 seeks there; the view follows the playhead while playing.
  const spe::music::Tick bar40 = bar_start_tick(score, 39);
  Q_EMIT w.window.pianoRoll()->seekRequested(bar40);
  CHECK(w.playback->position() == Approx(map.seconds_at(bar40)).margin(0.01));
  t.play();
  REQUIRE(spe::test::process_events_until([&] { return w.window.pianoRoll()->playheadTick() >= bar40; }, 3000));
  spe::test::process_events_until([] { return false; }, 200);
  const QRect area = w.window.pianoRoll()->noteArea();
  const double x = w.window.pianoRoll()->tickToX(w.window.pianoRoll()->playheadTick());
  CHECK(x >= area.left());
  CHECK(x <= area.right());

  // Loop bars 3–3 (one bar, 1.33 s at 90 BPM in 2/4): positions stay inside it and wrap.
  t.setLoopBars(2, 2);
  t.setLoopEnabled(true);
  const double begin = seconds_at_bar(score, 2), end = seconds_at_bar(score, 3);
  Q_EMIT w.window.pianoRoll()->seekRequested(bar_start_tick(score, 2));
  double last = -1, lowest = 1e9, highest = -1;
  int wraps = 0;
  QElapsedTimer timer;
  timer.start();
  while (timer.elapsed() < 3200) {
    QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    const double p = w.playback->position();
    if (p + 0.2 < last) ++wraps;
    last = p;
    lowest = std::min(lowest, p);
    highest = std::max(highest, p);
  }
  CHECK(wraps >= 2);
  CHECK(lowest >= begin - 0.01);
  CHECK(highest <= end + 0.01);
  t.setLoopEnabled(false);

  t.stop();
  CHECK(t.state() == PlaybackEngine::State::Stopped);
  CHECK(w.playback->position() == 0.0);
  spe::test::process_events_until([] { return false; }, 100);
  CHECK(w.window.pianoRoll()->playheadTick() == -1);
  spe::test::grab_and_save(w.window, "transport.png");
}

TEST_CASE("transport: a take plays while it is being generated and the playback follows the stream", "[gui]") {
  spe::test::JackServer server;
  if (!server.available()) {
    WARN("SKIPPED: jackd not installed (apt install jackd1)");
    return;
  }
  REQUIRE(server.ok());
  PlayingWindow w;
  spe::generate::ModelRoots roots;
  roots.bundled = {spe::test::source_dir() / "resources" / "models"};
  roots.user = fs::temp_directory_path() / "spe-studio-test-no-user-models";
  w.window.setModelCatalog(std::make_shared<spe::studio::StudioCatalog>(roots));
  REQUIRE(w.window.generationController() != nullptr);
  w.window.promptPanel()->setPromptBars(2);
  w.window.generationPanel()->setLength(LengthUnit::Bars, 24);
  w.window.generationPanel()->setSeed(5);
  REQUIRE(w.window.generate());
  w.transport().play();
  REQUIRE(w.transport().state() == PlaybackEngine::State::Playing);
  // While the take streams in, what plays grows with it.
  const double first = w.playback->duration();
  REQUIRE(spe::test::process_events_until([&] { return w.playback->duration() > first + 2.0; }, 60000));
  CHECK(w.transport().state() == PlaybackEngine::State::Playing);
  REQUIRE(spe::test::process_events_until([&] { return !w.window.generationController()->isRunning(); }, 180000));
  spe::test::process_events_until([] { return false; }, 100);
  // Finished: the whole take plays, as complete.
  const Take& take = w.window.takesPanel()->takes().back();
  CHECK(w.playback->duration() == Approx(spe::music::TempoMap(take.score).seconds_at(take.score.end_tick())).margin(0.01));
  CHECK_FALSE(w.playback->waitingForMore());
  w.transport().stop();
}

TEST_CASE("transport: a MIDI port that vanishes mid-play stops playback with a message in the window", "[gui]") {
  spe::test::JackServer server;
  if (!server.available()) {
    WARN("SKIPPED: jackd not installed (apt install jackd1)");
    return;
  }
  REQUIRE(server.ok());
  auto sink = std::make_unique<RtMidiIn>(RtMidi::UNIX_JACK, "spe-gui-sink");
  sink->setErrorCallback(ignore_rtmidi_error, nullptr);
  sink->openVirtualPort("synth in");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  spe::studio::StudioPlayback probe("", "jack");
  std::string port;
  for (const auto& o : probe.outputs())
    if (o.id.find("spe-gui-sink") != std::string::npos) port = o.id;
  REQUIRE(!port.empty());

  PlayingWindow w(QString::fromStdString(port));
  w.transport().play();
  REQUIRE(w.transport().state() == PlaybackEngine::State::Playing);
  CHECK(w.playback->outputId() == port);
  spe::test::process_events_until([] { return false; }, 300);
  sink.reset();  // the synth quits
  REQUIRE(spe::test::process_events_until([&] { return w.window.lastError().startsWith(QStringLiteral("Playback stopped")); }, 5000));
  CHECK(w.window.lastError().contains(QStringLiteral("spe-gui-sink")));
  CHECK_FALSE(w.window.lastError().contains(QLatin1Char('\n')));
  CHECK(w.transport().state() == PlaybackEngine::State::Stopped);
}

TEST_CASE("transport: a soundfont that cannot be read is a one-line message in the window, nothing plays", "[gui]") {
  PlayingWindow w(QStringLiteral("fluidsynth"));
  QSettings().setValue("playback/soundfont", "/nonexistent/piano.sf2");
  w.transport().play();
  CHECK(w.transport().state() == PlaybackEngine::State::Stopped);
  CHECK(w.window.lastError().contains(QStringLiteral("/nonexistent/piano.sf2")));
  CHECK_FALSE(w.window.lastError().contains(QLatin1Char('\n')));
  CHECK_FALSE(w.playback->hasOutput());
}

TEST_CASE("Export audio renders what the roll shows to WAV, and cancel leaves the target as it was", "[gui]") {
  if (spe::playback::find_soundfont("").empty()) {
    WARN("SKIPPED: " << spe::playback::missing_soundfont_message());
    return;
  }
  PlayingWindow w;
  const fs::path out = spe::test::gui_scratch() / "export_audio.wav";
  fs::remove(out);
  const QString path = QString::fromStdString(out.string());
  bool done = false, ok = false;
  QObject::connect(&w.window, &MainWindow::audioExported, [&](const QString& p, bool success) {
    done = p == path;
    ok = success;
  });
  REQUIRE(w.window.exportAudio(QString(), path));
  CHECK(w.window.isExportingAudio());
  REQUIRE(spe::test::process_events_until([&] { return done; }, 120000));
  REQUIRE(ok);
  CHECK_FALSE(w.window.isExportingAudio());
  const auto wav = spe::test::read_wav(out);
  const double expected = spe::music::TempoMap(w.window.pianoRoll()->score()).seconds_at(w.window.pianoRoll()->score().end_tick()) + 2.0;
  CHECK(wav.seconds() == Approx(expected).margin(0.5));
  CHECK(spe::test::rms(wav.mono) > 0.01);

  // Cancelled at once: the earlier file is untouched.
  { std::ofstream(out, std::ios::binary | std::ios::trunc) << "keep me"; }
  done = false;
  REQUIRE(w.window.exportAudio(QString(), path));
  // The newest dialog: the first export's may still await its deferred delete (processEvents from a
  // test does not always run it), and cancelling that one would cancel nothing.
  const auto dialogs = w.window.findChildren<QProgressDialog*>(QStringLiteral("renderProgress"));
  REQUIRE(!dialogs.isEmpty());
  auto* progress = dialogs.last();
  auto* cancel_button = progress->findChild<QPushButton*>();
  REQUIRE(cancel_button != nullptr);
  cancel_button->click();  // the dialog's Cancel, as a user presses it
  REQUIRE(spe::test::process_events_until([&] { return done; }, 120000));
  CHECK_FALSE(ok);
  std::ifstream in(out, std::ios::binary);
  CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == "keep me");
  CHECK(w.window.lastError().isEmpty());

  // An unwritable target is one line naming the file.
  const QString bad = QStringLiteral("/nonexistent-folder/take.wav");
  done = false;
  QObject::disconnect(&w.window, &MainWindow::audioExported, nullptr, nullptr);
  QObject::connect(&w.window, &MainWindow::audioExported, [&](const QString&, bool success) { done = true; ok = success; });
  REQUIRE(w.window.exportAudio(QString(), bad));
  REQUIRE(spe::test::process_events_until([&] { return done; }, 60000));
  CHECK_FALSE(ok);
  CHECK(w.window.lastError().contains(QStringLiteral("take.wav")));
  CHECK_FALSE(w.window.lastError().contains(QLatin1Char('\n')));
}

TEST_CASE("Settings: values persist and apply (default length, output, soundfont note)", "[gui]") {
  PlayingWindow w;
  w.window.openSettings();
  auto* dialog = w.window.findChild<SettingsDialog*>(QStringLiteral("settingsDialog"));
  REQUIRE(dialog != nullptr);
  auto* outputs = dialog->findChild<QComboBox*>(QStringLiteral("outputCombo"));
  REQUIRE(outputs != nullptr);
  CHECK(outputs->findData(QStringLiteral("fluidsynth")) >= 0);
  CHECK(outputs->findData(QStringLiteral("virtual")) >= 0);
  CHECK(outputs->currentData().toString() == QStringLiteral("virtual"));
  auto* note = dialog->findChild<QLabel*>(QStringLiteral("soundfontNote"));
  REQUIRE(note != nullptr);
  const std::string sf = spe::playback::find_soundfont("");
  CHECK(note->text().contains(QString::fromStdString(sf.empty() ? "install" : sf)));
  dialog->findChild<QLineEdit*>(QStringLiteral("soundfontEdit"))->setText(QStringLiteral("/nonexistent/a.sf2"));
  CHECK(note->text().contains(QStringLiteral("/nonexistent/a.sf2: cannot read")));
  dialog->findChild<QLineEdit*>(QStringLiteral("soundfontEdit"))->clear();
  dialog->findChild<QDoubleSpinBox*>(QStringLiteral("lengthSpin"))->setValue(48);
  auto* unit = dialog->findChild<QComboBox*>(QStringLiteral("lengthUnitCombo"));
  unit->setCurrentIndex(unit->findData(int(LengthUnit::Seconds)));
  outputs->setCurrentIndex(outputs->findData(QStringLiteral("fluidsynth")));
  spe::test::grab_and_save(*dialog, "settings_dialog.png");
  dialog->accept();
  CHECK(w.window.generationPanel()->length() == 48);
  CHECK(w.window.generationPanel()->lengthUnit() == LengthUnit::Seconds);
  const StudioSettings saved = StudioSettings::load();
  CHECK(saved.output == QStringLiteral("fluidsynth"));
  CHECK(saved.length == 48);
  CHECK(saved.length_unit == LengthUnit::Seconds);
}
#endif
