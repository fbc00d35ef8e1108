#include <QApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QAction>
#include <QUrl>
#include <catch2/catch.hpp>
#include <fstream>

#include "gui_test_support.hpp"
#include "main_window.hpp"
#include "music/score_midi.hpp"
#include "piano_roll_view.hpp"
#include "prompt_panel.hpp"
#include "timeline.hpp"
#include "midi/midi_files.hpp"

namespace fs = std::filesystem;
using spe::ui::MainWindow;
using spe::ui::NoteRef;

namespace {

QString qpath(const fs::path& p) { return QString::fromStdString(p.string()); }

fs::path pop909_prompt() { return spe::test::source_dir() / "resources" / "prompts" / "pop909_001.mid"; }

fs::path write_bytes(const std::string& name, const std::string& bytes) {
  const fs::path path = spe::test::gui_scratch() / name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

QMessageBox* error_box(MainWindow& window) { return window.findChild<QMessageBox*>(QStringLiteral("errorBox")); }

}  // namespace

TEST_CASE("opening a MIDI file fills the prompt panel and the piano roll", "[gui]") {
  const fs::path file = pop909_prompt();
  REQUIRE(fs::exists(file));
  const auto expected = spe::music::read_score(file);
  MainWindow window;
  window.resize(1300, 800);
  window.show();
  REQUIRE(window.openFile(qpath(file)));

  auto* panel = window.promptPanel();
  CHECK(panel->fileNameText() == QStringLiteral("pop909_001.mid"));
  CHECK(panel->tracksText().startsWith(QString::number(expected.tracks.size())));
  CHECK(panel->trackListCount() == static_cast<int>(expected.tracks.size()));
  CHECK(panel->barsText() == QString::number(spe::ui::bar_count(expected)));
  CHECK(panel->tempoText().endsWith(QStringLiteral("BPM")));
  CHECK(window.pianoRoll()->score().note_count() == expected.note_count());
  CHECK(window.windowTitle().contains(QStringLiteral("pop909_001.mid")));
  CHECK(window.currentFile() == QFileInfo(qpath(file)).absoluteFilePath());
  CHECK(window.recentFiles().value(0) == window.currentFile());
  CHECK(window.lastError().isEmpty());

  // The default prompt covers the first 8 bars, and the roll shades exactly that region.
  CHECK(panel->promptBars() == std::min(8, spe::ui::bar_count(expected)));
  CHECK(window.pianoRoll()->promptEndTick() == spe::ui::bar_start_tick(expected, panel->promptBars()));
  panel->setPromptBars(4);
  CHECK(window.pianoRoll()->promptEndTick() == spe::ui::bar_start_tick(expected, 4));

  // What the user sees: notes of the loaded file in their track colours, inside the main window.
  const QImage image = spe::test::grab_and_save(window, "main_window_pop909.png");
  auto* roll = window.pianoRoll();
  const QPoint to_window = roll->viewport()->mapTo(&window, QPoint(0, 0));
  int visible = 0;
  for (int t = 0; t < static_cast<int>(roll->score().tracks.size()); ++t)
    for (int i = 0; i < static_cast<int>(roll->score().tracks[t].notes.size()); ++i) {
      const QRect r = roll->noteRect({t, i});
      if (r.width() < 3 || !roll->noteArea().contains(r) || roll->noteAt(r.center()) != NoteRef{t, i}) continue;
      // Inside the prompt region the translucent wash lies over the notes; compare only notes beyond it.
      if (r.left() <= roll->tickToX(roll->promptEndTick())) continue;
      CHECK(spe::test::pixel(image, r.center() + to_window) == roll->noteFillColor({t, i}));
      ++visible;
    }
  CHECK(visible > 20);
}

TEST_CASE("a malformed file gives a one-line error naming it and keeps the current score", "[gui]") {
  MainWindow window;
  window.show();
  REQUIRE(window.openFile(qpath(pop909_prompt())));
  const auto notes_before = window.pianoRoll()->score().note_count();

  const fs::path garbage = write_bytes("broken.mid", "MThd this is not a standard MIDI file at all");
  CHECK_FALSE(window.openFile(qpath(garbage)));
  CHECK(window.lastError().contains(QStringLiteral("broken.mid")));
  CHECK_FALSE(window.lastError().contains(QLatin1Char('\n')));
  QMessageBox* box = error_box(window);
  REQUIRE(box != nullptr);
  CHECK(box->isVisible());
  CHECK(box->text() == window.lastError());
  CHECK(window.pianoRoll()->score().note_count() == notes_before);
  CHECK(window.promptPanel()->fileNameText() == QStringLiteral("pop909_001.mid"));
  spe::test::grab_and_save(window, "main_window_error.png");
  box->accept();

  // A real file cut in half: still an error message, never a crash.
  QFile real(qpath(pop909_prompt()));
  REQUIRE(real.open(QIODevice::ReadOnly));
  const QByteArray bytes = real.readAll();
  const fs::path truncated = write_bytes("truncated.mid", bytes.left(bytes.size() / 2).toStdString());
  CHECK_FALSE(window.openFile(qpath(truncated)));
  CHECK(window.lastError().contains(QStringLiteral("truncated.mid")));

  const fs::path missing = spe::test::gui_scratch() / "does-not-exist.mid";
  CHECK_FALSE(window.openFile(qpath(missing)));
  CHECK(window.lastError().contains(QStringLiteral("does-not-exist.mid")));
  CHECK_FALSE(window.recentFiles().contains(qpath(missing)));
}

TEST_CASE("dropping a MIDI file onto the window opens it and other files are refused", "[gui]") {
  MainWindow window;
  window.show();
  QMimeData text_only;
  text_only.setUrls({QUrl::fromLocalFile(QStringLiteral("/tmp/notes.txt"))});
  CHECK(MainWindow::midiFilesIn(&text_only).isEmpty());
  QDragEnterEvent refused(QPoint(50, 50), Qt::CopyAction, &text_only, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&window, &refused);
  CHECK_FALSE(refused.isAccepted());

  QMimeData midi;
  midi.setUrls({QUrl::fromLocalFile(qpath(pop909_prompt())), QUrl(QStringLiteral("https://example.org/a.mid"))});
  CHECK(MainWindow::midiFilesIn(&midi) == QStringList{qpath(pop909_prompt())});
  QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &midi, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&window, &enter);
  CHECK(enter.isAccepted());
  QDropEvent drop(QPointF(50, 50), Qt::CopyAction, &midi, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&window, &drop);
  CHECK(window.promptPanel()->fileNameText() == QStringLiteral("pop909_001.mid"));
  CHECK(window.pianoRoll()->score().note_count() > 0);
}

TEST_CASE("export writes what the roll shows and reports a bad destination", "[gui]") {
  MainWindow window;
  REQUIRE(window.openFile(qpath(pop909_prompt())));
  const fs::path out = spe::test::gui_scratch() / "exported.mid";
  fs::remove(out);
  REQUIRE(window.exportMidi(qpath(out)));
  const auto original = window.pianoRoll()->score();
  const auto back = spe::music::read_score(out);
  REQUIRE(back.note_count() == original.note_count());
  std::vector<std::tuple<spe::music::Tick, spe::music::Tick, int, int>> a, b;
  for (const auto& t : original.tracks)
    for (const auto& n : t.notes) a.emplace_back(n.start, n.end, n.pitch, n.velocity);
  for (const auto& t : back.tracks)
    for (const auto& n : t.notes) b.emplace_back(n.start, n.end, n.pitch, n.velocity);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  CHECK(a == b);

  CHECK_FALSE(window.exportMidi(qpath(spe::test::gui_scratch() / "no-such-folder" / "x.mid")));
  CHECK(window.lastError().contains(QStringLiteral("x.mid")));
}

TEST_CASE("recent files persist across windows and the menu lists them", "[gui]") {
  {
    MainWindow first;
    REQUIRE(first.openFile(qpath(pop909_prompt())));
    first.close();
  }
  MainWindow second;
  REQUIRE_FALSE(second.recentFiles().isEmpty());
  CHECK(second.recentFiles().front().endsWith(QStringLiteral("pop909_001.mid")));
  auto* recent = second.menuBar()->findChild<QMenu*>(QStringLiteral("recentMenu"));
  REQUIRE(recent != nullptr);
  REQUIRE_FALSE(recent->actions().isEmpty());
  CHECK(recent->actions().front()->text().contains(QStringLiteral("pop909_001.mid")));
  recent->actions().front()->trigger();  // re-opens it
  CHECK(second.promptPanel()->fileNameText() == QStringLiteral("pop909_001.mid"));
}

TEST_CASE("every multitrack_pop file opens with its track count shown", "[gui][integration]") {
  const auto dir = spe::test::shared_data("multitrack_pop");
  if (!dir) return;
  const auto files = spe::midi::list_midi_files(*dir);
  REQUIRE(files.size() >= 10);
  MainWindow window;
  window.resize(1400, 860);
  window.show();
  for (const auto& file : files) {
    INFO(file.string());
    const auto score = spe::music::read_score(file);
    REQUIRE(window.openFile(qpath(file)));
    CHECK(window.promptPanel()->trackListCount() == static_cast<int>(score.tracks.size()));
    CHECK(window.pianoRoll()->score().note_count() == score.note_count());
  }
  spe::test::grab_and_save(window, "main_window_multitrack.png");
}

TEST_CASE("window geometry persists and the View menu zooms the roll", "[gui]") {
  {
    MainWindow first;
    first.resize(911, 633);
    first.show();
    spe::test::process_events_until([&] { return first.size() == QSize(911, 633); }, 2000);
    first.close();
  }
  MainWindow second;
  CHECK(second.size() == QSize(911, 633));

  auto* roll = second.pianoRoll();
  auto trigger = [&](const char* name) {
    auto* action = second.findChild<QAction*>(QString::fromLatin1(name));
    REQUIRE(action != nullptr);
    action->trigger();
  };
  const double beat = roll->pixelsPerBeat();
  trigger("zoomInAction");
  CHECK(roll->pixelsPerBeat() > beat);
  trigger("zoomOutAction");
  CHECK(roll->pixelsPerBeat() == Approx(beat));
  const int key = roll->keyHeight();
  trigger("tallerRowsAction");
  CHECK(roll->keyHeight() > key);
  trigger("shorterRowsAction");
  CHECK(roll->keyHeight() <= key + 1);
  auto* view_menu = second.menuBar()->findChild<QMenu*>(QStringLiteral("viewMenu"));
  REQUIRE(view_menu != nullptr);
  CHECK(view_menu->actions().size() >= 6);  // 5 zoom actions + the prompt panel toggle
}
