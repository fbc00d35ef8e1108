#pragma once
// The piano roll: keyboard strip at the left, bar ruler on top, the bar/beat grid of the score's metre,
// notes coloured per track and shaded by velocity, prompt notes muted, a labelled training-length marker,
// a playhead, zoom (ctrl+wheel horizontally, ctrl+shift+wheel vertically) and scrolling (wheel, shift+wheel,
// middle-button drag, Home/End). Notes can stream in
// through appendNotes(), which repaints only the new notes' area.

#include <QAbstractScrollArea>
#include <QString>
#include <optional>
#include <span>
#include <vector>

#include "music/score.hpp"

namespace spe::ui {

// A note addressed by its track and its index in that track's (start-sorted) note list.
struct NoteRef {
  int track = -1;
  int index = -1;
  bool operator==(const NoteRef&) const = default;
};

// A note addressed by what it is (track, onset, pitch): stays valid when notes are re-sorted or streamed in.
struct NoteKey {
  int track = -1;
  music::Tick start = 0;
  int pitch = -1;
  bool operator==(const NoteKey&) const = default;
};

class PianoRollView : public QAbstractScrollArea {
  Q_OBJECT

 public:
  explicit PianoRollView(QWidget* parent = nullptr);

  // Replaces everything shown; notes are re-sorted by (start, pitch) per track. Unless `keep_view`, the
  // view scrolls to the start and centres the score's pitch range.
  void setScore(const music::Score& score, bool keep_view = false);
  const music::Score& score() const { return score_; }
  void clear();

  // Streaming: a new (empty or filled) track, then notes appended to it as they are produced.
  int addTrack(const music::Track& track);
  void appendNotes(int track, std::span<const music::Note> notes);
  // While following, the view scrolls to keep the latest appended note in sight.
  void setFollowAppends(bool follow) { follow_appends_ = follow; }

  // Overlays. A negative tick hides the marker / playhead / prompt region.
  void setTrainingMarker(music::Tick tick, const QString& label);
  music::Tick trainingMarkerTick() const { return training_tick_; }
  void setPlayheadTick(music::Tick tick);
  music::Tick playheadTick() const { return playhead_tick_; }
  void setPromptEndTick(music::Tick tick);
  music::Tick promptEndTick() const { return prompt_end_tick_; }
  // The note the attention view follows (`focus`, drawn with a bright frame) and the notes it attends to
  // most (`attended`, framed in the marker colour). Cleared by setScore().
  void setNoteHighlights(std::optional<NoteKey> focus, std::vector<NoteKey> attended);
  std::optional<NoteKey> focusNote() const { return focus_note_; }
  const std::vector<NoteKey>& attendedNotes() const { return attended_notes_; }
  std::optional<NoteRef> findNote(const NoteKey& key) const;

  // Zoom: horizontal in pixels per beat, vertical in pixels per semitone.
  void setPixelsPerBeat(double pixels);
  double pixelsPerBeat() const { return pixels_per_beat_; }
  void setKeyHeight(int pixels);
  int keyHeight() const { return key_height_; }
  static constexpr double kMinPixelsPerBeat = 2.0;
  static constexpr double kMaxPixelsPerBeat = 400.0;
  static constexpr int kMinKeyHeight = 3;
  static constexpr int kMaxKeyHeight = 32;

  // Scrolls so that `tick` is at the left edge of the note area / `pitch` is vertically centred.
  void scrollToTick(music::Tick tick);
  void fitTicks(music::Tick tick);  // [0, tick) fills the visible width, scrolled to the start
  void centerOnPitch(int pitch);
  // Scrolls vertically so that the score's pitch range is centred (called by setScore).
  void centerOnNotes();

  // Geometry, in viewport coordinates (what paint and hit tests use; public for tests and overlays).
  static constexpr int kKeyboardWidth = 56;
  static constexpr int kRulerHeight = 24;
  double tickToX(music::Tick tick) const;
  music::Tick xToTick(double x) const;
  int pitchToY(int pitch) const;  // top edge of the pitch's row
  int yToPitch(int y) const;      // -1 outside 0..127
  QRect noteRect(NoteRef ref) const;
  QRect noteArea() const;         // viewport rect right of the keyboard and below the ruler
  std::optional<NoteRef> noteAt(QPoint viewport_pos) const;  // the topmost note drawn there
  QColor noteFillColor(NoteRef ref) const;
  QString toolTipTextAt(QPoint viewport_pos) const;          // empty where there is no note

 public Q_SLOTS:
  void zoomInHorizontal();
  void zoomOutHorizontal();
  void zoomInVertical();
  void zoomOutVertical();
  void zoomToFit();  // whole score in the visible width

 Q_SIGNALS:
  void zoomChanged();
  void seekRequested(spe::music::Tick tick);  // the user clicked or dragged in the ruler
  void noteClicked(const spe::ui::NoteKey& note);  // left click on a note
  void contentChanged();                       // setScore() or appendNotes(): playback follows it

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  bool viewportEvent(QEvent* event) override;
  void scrollContentsBy(int dx, int dy) override;

 private:
  void updateScrollRanges();
  music::Tick contentEndTick() const;
  void zoomHorizontalAround(double factor, double anchor_x);
  void zoomVerticalAround(double factor, int anchor_y);
  const music::Note& note(NoteRef ref) const;
  // Indices [first, last) of track notes that may overlap [from, to): binary search on start times,
  // widened by the track's longest note.
  std::pair<std::size_t, std::size_t> candidateRange(int track, music::Tick from, music::Tick to) const;

  void paintBackground(QPainter& p, const QRect& area) const;
  void paintGrid(QPainter& p, const QRect& area) const;
  void paintNotes(QPainter& p, const QRect& area) const;
  void paintOverlays(QPainter& p, const QRect& area) const;
  void paintHighlights(QPainter& p) const;
  void paintKeyboard(QPainter& p) const;
  void paintRuler(QPainter& p) const;

  music::Score score_;
  std::vector<music::Tick> longest_note_;  // per track, for candidateRange
  double pixels_per_beat_ = 48.0;
  int key_height_ = 9;
  music::Tick training_tick_ = -1;
  QString training_label_;
  music::Tick playhead_tick_ = -1;
  music::Tick prompt_end_tick_ = -1;
  std::optional<NoteKey> focus_note_;
  std::vector<NoteKey> attended_notes_;
  bool follow_appends_ = false;
  int last_area_height_ = 0;
  std::optional<QPoint> pan_from_;  // middle-button drag in progress: last cursor position  // note-area height at the last resize, to keep the centre pitch on resize
};

}  // namespace spe::ui
