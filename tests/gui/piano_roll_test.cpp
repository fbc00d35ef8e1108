#include <QApplication>
#include <QScrollBar>
#include <QKeyEvent>
#include <QPaintEvent>
#include <QWheelEvent>
#include <catch2/catch.hpp>
#include <set>

#include "gui_test_support.hpp"
#include "music/score_midi.hpp"
#include "piano_roll_view.hpp"
#include "timeline.hpp"
#include "track_palette.hpp"

using spe::music::Note;
using spe::music::Score;
using spe::music::Tick;
using spe::music::Track;
using namespace spe::ui;

namespace {

// Two bars of a C-major piano figure, a prompt/generated split, and a drum track.
Score small_score() {
  Score score;
  Track piano;
  piano.name = "Piano";
  for (int i = 0; i < 8; ++i) {
    const int pitch = 60 + (i * 2) % 12;
    piano.notes.push_back({i * 480, i * 480 + 400, pitch, 30 + i * 12, i < 4});
  }
  Track drums;
  drums.name = "Drums";
  drums.is_drum = true;
  drums.channel = 9;
  for (int i = 0; i < 8; ++i) drums.notes.push_back({i * 480, i * 480 + 60, i % 2 ? 38 : 36, 100});
  score.tracks = {piano, drums};
  return score;
}

QColor row_background(int pitch) {
  static const std::set<int> black = {1, 3, 6, 8, 10};
  return black.count(pitch % 12) ? piano_roll_colors().black_key_row : piano_roll_colors().white_key_row;
}

}  // namespace

TEST_CASE("piano roll draws every note in its fill colour, the background elsewhere", "[gui]") {
  PianoRollView view;
  view.resize(900, 500);
  view.setScore(small_score());
  view.setKeyHeight(12);
  view.centerOnPitch(52);
  const QImage image = spe::test::grab_and_save(view, "piano_roll_small.png");
  const QPoint offset = view.viewport()->geometry().topLeft();

  int checked = 0;
  for (int t = 0; t < 2; ++t)
    for (int i = 0; i < 8; ++i) {
      const NoteRef ref{t, i};
      const QRect r = view.noteRect(ref);
      if (!view.noteArea().contains(r)) continue;
      const QPoint centre = r.center();
      REQUIRE(view.noteAt(centre) == ref);
      CHECK(spe::test::pixel(image, centre + offset) == view.noteFillColor(ref));
      ++checked;
    }
  CHECK(checked == 16);

  // Between notes, between two sixteenth lines, we see the pitch row's background.
  for (int pitch : {61, 66, 70, 50, 45}) {
    const QPoint empty(static_cast<int>(view.tickToX(480 * 9 + 180)), view.pitchToY(pitch) + 4);
    REQUIRE(view.noteArea().contains(empty));
    REQUIRE_FALSE(view.noteAt(empty));
    CHECK(spe::test::pixel(image, empty + offset) == row_background(pitch));
  }
}

TEST_CASE("track colours are distinct, drums neutral, velocity and prompt change the shade", "[gui]") {
  std::set<QRgb> seen;
  for (int i = 0; i < 10; ++i) seen.insert(track_color(i, false).rgb());
  CHECK(seen.size() == 10);
  CHECK_FALSE(seen.count(track_color(0, true).rgb()));
  const QColor base = track_color(0, false);
  CHECK(note_fill_color(base, 20, false).value() < note_fill_color(base, 120, false).value());
  CHECK(note_fill_color(base, 100, true) != note_fill_color(base, 100, false));

  Score score = small_score();
  PianoRollView view;
  view.setScore(score);
  // Notes 0..3 are prompt notes, 4..7 generated: same track, visibly different styles.
  CHECK(view.noteFillColor({0, 3}) != view.noteFillColor({0, 4}));
}

TEST_CASE("training marker, playhead and prompt region are drawn where they belong", "[gui]") {
  PianoRollView view;
  view.resize(900, 400);
  view.setScore(small_score());
  view.setTrainingMarker(2 * 1920 + 480, QStringLiteral("training length"));
  view.setPlayheadTick(1920 + 240);
  view.setPromptEndTick(1920);
  const QImage image = spe::test::grab_and_save(view, "piano_roll_overlays.png");
  const QPoint offset = view.viewport()->geometry().topLeft();
  const auto& colors = piano_roll_colors();

  const int marker_x = static_cast<int>(std::lround(view.tickToX(2 * 1920 + 480)));
  const int playhead_x = static_cast<int>(std::lround(view.tickToX(1920 + 240)));
  const QRect area = view.noteArea();
  // The marker column has its colour from top to bottom of the note area, over notes and background.
  for (int y = area.top(); y < area.bottom(); y += 17) {
    CHECK(spe::test::pixel(image, QPoint(marker_x, y) + offset) == colors.training_marker);
    CHECK(spe::test::pixel(image, QPoint(playhead_x, y) + offset) == colors.playhead);
  }
  // The prompt region is tinted: the same row is a different colour left and right of the prompt end.
  const int y = view.pitchToY(49) + 4;  // a row without notes
  REQUIRE(view.noteArea().contains(QPoint(view.noteArea().center().x(), y)));
  const QColor inside = spe::test::pixel(image, QPoint(static_cast<int>(view.tickToX(180)), y) + offset);
  const QColor outside = spe::test::pixel(image, QPoint(static_cast<int>(view.tickToX(1920 + 780)), y) + offset);
  CHECK(outside == row_background(49));
  CHECK(inside != outside);
  CHECK(inside.blue() > outside.blue());
}

TEST_CASE("appendNotes streams notes in, keeps each track sorted and paints them", "[gui]") {
  PianoRollView view;
  view.resize(800, 400);
  view.setScore(small_score());
  Track strings;
  strings.name = "Strings";
  strings.program = 48;
  const int track = view.addTrack(strings);
  REQUIRE(track == 2);
  const std::vector<Note> first = {{3840, 4800, 64, 90}, {4800, 5760, 67, 90}};
  view.appendNotes(track, first);
  const std::vector<Note> late = {{4320, 4560, 62, 90}};  // out of order: inserted, not appended
  view.appendNotes(track, late);
  const auto& notes = view.score().tracks[2].notes;
  REQUIRE(notes.size() == 3);
  CHECK(notes[0].start == 3840);
  CHECK(notes[1].start == 4320);
  CHECK(notes[2].start == 4800);
  view.appendNotes(7, first);  // a track that does not exist is ignored, not a crash
  CHECK(view.score().note_count() == 19);

  view.setPixelsPerBeat(30);
  view.centerOnPitch(64);
  const QImage image = spe::test::grab_and_save(view, "piano_roll_streamed.png");
  const QPoint offset = view.viewport()->geometry().topLeft();
  for (int i = 0; i < 3; ++i) {
    const QRect r = view.noteRect({track, i});
    CHECK(spe::test::pixel(image, r.center() + offset) == view.noteFillColor({track, i}));
  }
}

TEST_CASE("following appends scrolls the latest note into view", "[gui]") {
  PianoRollView view;
  view.resize(600, 300);
  view.setScore(small_score());
  view.setFollowAppends(true);
  const int track = view.addTrack(Track{});
  const Tick far = 480 * 400;
  const std::vector<Note> notes = {{far, far + 480, 60, 80}};
  view.appendNotes(track, notes);
  const QRect r = view.noteRect({track, 0});
  CHECK(view.noteArea().intersects(r));
}

TEST_CASE("ctrl+wheel zooms around the cursor and buttons zoom and clamp", "[gui]") {
  PianoRollView view;
  view.resize(800, 400);
  view.setScore(small_score());
  view.show();
  view.scrollToTick(960);
  const double before = view.pixelsPerBeat();
  const QPoint cursor(400, 200);
  const Tick tick_under_cursor = view.xToTick(cursor.x());
  QWheelEvent wheel(cursor, view.viewport()->mapToGlobal(cursor), QPoint(), QPoint(0, 120), Qt::NoButton,
                    Qt::ControlModifier, Qt::NoScrollPhase, false);
  QApplication::sendEvent(view.viewport(), &wheel);
  CHECK(view.pixelsPerBeat() == Approx(before * 1.25));
  // The time under the cursor moves by at most a pixel's worth of ticks.
  const double ticks_per_pixel = 480.0 / view.pixelsPerBeat();
  CHECK(std::abs(view.xToTick(cursor.x()) - tick_under_cursor) <= 2 * ticks_per_pixel);

  const int rows = view.keyHeight();
  QWheelEvent vertical(cursor, view.viewport()->mapToGlobal(cursor), QPoint(), QPoint(0, 120), Qt::NoButton,
                       Qt::ControlModifier | Qt::ShiftModifier, Qt::NoScrollPhase, false);
  QApplication::sendEvent(view.viewport(), &vertical);
  CHECK(view.keyHeight() > rows);

  for (int i = 0; i < 50; ++i) view.zoomOutHorizontal();
  CHECK(view.pixelsPerBeat() == Approx(PianoRollView::kMinPixelsPerBeat));
  for (int i = 0; i < 50; ++i) view.zoomInVertical();
  CHECK(view.keyHeight() == PianoRollView::kMaxKeyHeight);
  view.zoomToFit();
  CHECK(view.tickToX(view.score().end_tick()) <= view.noteArea().right());
  CHECK(view.tickToX(view.score().end_tick()) > view.noteArea().center().x());
}

TEST_CASE("tooltips name the pitch, velocity, position and track", "[gui]") {
  PianoRollView view;
  view.resize(800, 400);
  view.setScore(small_score());
  view.centerOnPitch(62);
  const QString text = view.toolTipTextAt(view.noteRect({0, 1}).center());  // D4, beat 2 of bar 1
  CHECK(text.contains("D4"));
  CHECK(text.contains("(62)"));
  CHECK(text.contains("velocity 42"));
  CHECK(text.contains("bar 1, beat 2"));
  CHECK(text.contains("0:00.50"));
  CHECK(text.contains("Piano"));
  CHECK(text.contains("prompt"));
  CHECK(view.toolTipTextAt(QPoint(view.noteArea().right() - 2, view.pitchToY(120) + 2)).isEmpty());
}

TEST_CASE("clicking the ruler moves the playhead and asks to seek", "[gui]") {
  PianoRollView view;
  view.resize(800, 400);
  view.setScore(small_score());
  Tick requested = -1;
  QObject::connect(&view, &PianoRollView::seekRequested, [&](Tick t) { requested = t; });
  const QPoint at(static_cast<int>(view.tickToX(1920)) + 1, 10);
  QMouseEvent press(QEvent::MouseButtonPress, at, view.viewport()->mapToGlobal(at), Qt::LeftButton,
                    Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(view.viewport(), &press);
  CHECK(requested >= 1920);
  CHECK(requested < 1920 + 480 / 8);
  CHECK(view.playheadTick() == requested);
}

TEST_CASE("a real multi-track song renders correctly at extreme and default zooms", "[gui]") {
  const auto dir = spe::test::shared_data("multitrack_pop");
  if (!dir) return;
  const auto score = spe::music::read_score(*dir / "Mr. Blue Sky.mid");
  REQUIRE(score.tracks.size() > 3);
  PianoRollView view;
  view.resize(1200, 600);
  view.setScore(score);
  view.setTrainingMarker(spe::ui::bar_start_tick(score, 32), QStringLiteral("training length · 32 bars"));
  struct Zoom {
    double pixels_per_beat;
    int key_height;
    const char* file;
  };
  for (const Zoom& zoom : {Zoom{PianoRollView::kMinPixelsPerBeat, PianoRollView::kMinKeyHeight, "piano_roll_zoom_min.png"},
                           Zoom{48.0, 9, "piano_roll_zoom_default.png"},
                           Zoom{PianoRollView::kMaxPixelsPerBeat, PianoRollView::kMaxKeyHeight, "piano_roll_zoom_max.png"}}) {
    INFO(zoom.file);
    view.setPixelsPerBeat(zoom.pixels_per_beat);
    view.setKeyHeight(zoom.key_height);
    view.scrollToTick(spe::ui::bar_start_tick(score, 20));
    view.centerOnPitch(60);
    const QImage image = spe::test::grab_and_save(view, zoom.file);
    const QPoint offset = view.viewport()->geometry().topLeft();
    const int marker_x = static_cast<int>(std::lround(view.tickToX(spe::ui::bar_start_tick(score, 32))));
    int checked = 0;
    for (int t = 0; t < static_cast<int>(score.tracks.size()); ++t)
      for (int i = 0; i < static_cast<int>(view.score().tracks[t].notes.size()); ++i) {
        const QRect r = view.noteRect({t, i});
        const QPoint c = r.center();
        if (!view.noteArea().contains(c) || std::abs(c.x() - marker_x) <= 2) continue;
        const auto top = view.noteAt(c);
        REQUIRE(top);
        CHECK(spe::test::pixel(image, c + offset) == view.noteFillColor(*top));
        ++checked;
      }
    CHECK(checked > 10);
    if (marker_x > view.noteArea().left() && marker_x < view.noteArea().right())
      CHECK(spe::test::pixel(image, QPoint(marker_x, view.noteArea().center().y()) + offset) ==
            piano_roll_colors().training_marker);
  }
}

namespace {
// Records the regions Qt asks the roll to repaint.
class RecordingRoll : public PianoRollView {
 public:
  std::vector<QRect> painted;

 protected:
  void paintEvent(QPaintEvent* event) override {
    painted.push_back(event->rect());
    PianoRollView::paintEvent(event);
  }
};
}  // namespace

TEST_CASE("streaming a note repaints only its neighbourhood, not the whole roll", "[gui]") {
  RecordingRoll view;
  view.resize(900, 500);
  view.setScore(small_score());
  view.show();
  spe::test::process_events_until([&] { return !view.painted.empty(); }, 2000);
  view.painted.clear();
  const std::vector<Note> one = {{960, 1440, 67, 100}};
  view.appendNotes(0, one);
  REQUIRE(spe::test::process_events_until([&] { return !view.painted.empty(); }, 2000));
  QRect total;
  for (const QRect& r : view.painted) total |= r;
  const auto& notes = view.score().tracks[0].notes;
  const auto it = std::find_if(notes.begin(), notes.end(), [](const Note& n) { return n.start == 960 && n.pitch == 67; });
  REQUIRE(it != notes.end());
  const QRect note = view.noteRect({0, static_cast<int>(it - notes.begin())});
  CHECK(total.contains(note));
  CHECK(total.width() * total.height() < view.viewport()->width() * view.viewport()->height() / 20);
}

TEST_CASE("middle-button drag pans and Home/End jump to the ends", "[gui]") {
  PianoRollView view;
  view.resize(800, 400);
  view.setScore(small_score());
  view.show();
  view.scrollToTick(4 * 1920);
  const int h = view.horizontalScrollBar()->value();
  const int v = view.verticalScrollBar()->value();
  auto send = [&](QEvent::Type type, QPoint at, Qt::MouseButton button, Qt::MouseButtons buttons) {
    QMouseEvent e(type, at, view.viewport()->mapToGlobal(at), button, buttons, Qt::NoModifier);
    QApplication::sendEvent(view.viewport(), &e);
  };
  send(QEvent::MouseButtonPress, QPoint(400, 200), Qt::MiddleButton, Qt::MiddleButton);
  send(QEvent::MouseMove, QPoint(430, 180), Qt::NoButton, Qt::MiddleButton);
  send(QEvent::MouseButtonRelease, QPoint(430, 180), Qt::MiddleButton, Qt::NoButton);
  CHECK(view.horizontalScrollBar()->value() == h - 30);  // content follows the hand
  CHECK(view.verticalScrollBar()->value() == v + 20);

  QKeyEvent home(QEvent::KeyPress, Qt::Key_Home, Qt::NoModifier);
  QApplication::sendEvent(&view, &home);
  CHECK(view.horizontalScrollBar()->value() == 0);
  QKeyEvent end(QEvent::KeyPress, Qt::Key_End, Qt::NoModifier);
  QApplication::sendEvent(&view, &end);
  CHECK(view.horizontalScrollBar()->value() == view.horizontalScrollBar()->maximum());
  CHECK(view.horizontalScrollBar()->maximum() > 0);
}
