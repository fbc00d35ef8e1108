#include "piano_roll_view.hpp"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

#include "timeline.hpp"
#include "track_palette.hpp"

namespace spe::ui {
namespace {

constexpr int kMinNoteWidth = 3;

bool is_black_key(int pitch) {
  switch (pitch % 12) {
    case 1: case 3: case 6: case 8: case 10: return true;
    default: return false;
  }
}

bool note_less(const music::Note& a, const music::Note& b) {
  return a.start != b.start ? a.start < b.start : a.pitch < b.pitch;
}

}  // namespace

PianoRollView::PianoRollView(QWidget* parent) : QAbstractScrollArea(parent) {
  setFrameShape(QFrame::NoFrame);
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
  setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
  viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
  viewport()->setMouseTracking(false);
  setMinimumSize(320, 200);
  last_area_height_ = noteArea().height();
  updateScrollRanges();
  centerOnPitch(60);
}

// ---- content -------------------------------------------------------------------------------------

void PianoRollView::setScore(const music::Score& score, bool keep_view) {
  score_ = score;
  focus_note_.reset();
  attended_notes_.clear();
  if (score_.ticks_per_beat <= 0) score_.ticks_per_beat = 480;
  longest_note_.assign(score_.tracks.size(), 0);
  for (std::size_t t = 0; t < score_.tracks.size(); ++t) {
    auto& notes = score_.tracks[t].notes;
    std::stable_sort(notes.begin(), notes.end(), note_less);
    for (const auto& n : notes) longest_note_[t] = std::max(longest_note_[t], n.end - n.start);
  }
  updateScrollRanges();
  if (!keep_view) {
    horizontalScrollBar()->setValue(0);
    centerOnNotes();
  }
  viewport()->update();
  Q_EMIT contentChanged();
}

void PianoRollView::clear() { setScore(music::Score{}); }

int PianoRollView::addTrack(const music::Track& track) {
  music::Track copy = track;
  std::stable_sort(copy.notes.begin(), copy.notes.end(), note_less);
  music::Tick longest = 0;
  for (const auto& n : copy.notes) longest = std::max(longest, n.end - n.start);
  score_.tracks.push_back(std::move(copy));
  longest_note_.push_back(longest);
  updateScrollRanges();
  viewport()->update();
  return static_cast<int>(score_.tracks.size()) - 1;
}

void PianoRollView::appendNotes(int track, std::span<const music::Note> notes) {
  if (track < 0 || track >= static_cast<int>(score_.tracks.size()) || notes.empty()) return;
  auto& list = score_.tracks[static_cast<std::size_t>(track)].notes;
  const music::Tick old_end = contentEndTick();
  QRect dirty;
  music::Tick latest_end = 0;
  for (const auto& n : notes) {
    // Streams arrive in time order, so this is almost always a push_back; out-of-order notes are still
    // inserted where they belong to keep the binary searches valid.
    if (list.empty() || !note_less(n, list.back())) {
      list.push_back(n);
    } else {
      list.insert(std::upper_bound(list.begin(), list.end(), n, note_less), n);
    }
    auto& longest = longest_note_[static_cast<std::size_t>(track)];
    longest = std::max(longest, n.end - n.start);
    latest_end = std::max(latest_end, n.end);
    const int x0 = static_cast<int>(std::lround(tickToX(n.start)));
    const int x1 = std::max(x0 + kMinNoteWidth, static_cast<int>(std::lround(tickToX(n.end))));
    dirty |= QRect(x0 - 1, pitchToY(n.pitch) - 1, x1 - x0 + 2, key_height_ + 2);
  }
  if (contentEndTick() != old_end) updateScrollRanges();
  Q_EMIT contentChanged();
  if (follow_appends_) {
    const double right = noteArea().right();
    const double x = tickToX(latest_end);
    if (x > right || x < noteArea().left()) {
      auto* bar = horizontalScrollBar();
      bar->setValue(bar->value() + static_cast<int>(x - noteArea().left() - 0.8 * noteArea().width()));
      return;  // scrolling repaints everything
    }
  }
  viewport()->update(dirty.intersected(noteArea()));
}

// ---- overlays ------------------------------------------------------------------------------------

void PianoRollView::setTrainingMarker(music::Tick tick, const QString& label) {
  training_tick_ = tick;
  training_label_ = label;
  updateScrollRanges();
  viewport()->update();
}

void PianoRollView::setPlayheadTick(music::Tick tick) {
  if (tick == playhead_tick_) return;
  playhead_tick_ = tick;
  viewport()->update();
}

void PianoRollView::setPromptEndTick(music::Tick tick) {
  prompt_end_tick_ = tick;
  viewport()->update();
}

// ---- zoom and scrolling --------------------------------------------------------------------------

void PianoRollView::setPixelsPerBeat(double pixels) {
  zoomHorizontalAround(std::clamp(pixels, kMinPixelsPerBeat, kMaxPixelsPerBeat) / pixels_per_beat_,
                       noteArea().left());
}

void PianoRollView::setKeyHeight(int pixels) {
  const int clamped = std::clamp(pixels, kMinKeyHeight, kMaxKeyHeight);
  zoomVerticalAround(static_cast<double>(clamped) / key_height_, noteArea().center().y());
}

void PianoRollView::zoomHorizontalAround(double factor, double anchor_x) {
  const double target = std::clamp(pixels_per_beat_ * factor, kMinPixelsPerBeat, kMaxPixelsPerBeat);
  if (target == pixels_per_beat_) return;
  // Keep the musical time under the anchor where it was.
  const double anchor_content = anchor_x - kKeyboardWidth + horizontalScrollBar()->value();
  const double beats = anchor_content / pixels_per_beat_;
  pixels_per_beat_ = target;
  updateScrollRanges();
  horizontalScrollBar()->setValue(static_cast<int>(std::lround(beats * pixels_per_beat_ -
                                                               (anchor_x - kKeyboardWidth))));
  viewport()->update();
  Q_EMIT zoomChanged();
}

void PianoRollView::zoomVerticalAround(double factor, int anchor_y) {
  const int target = std::clamp(static_cast<int>(std::lround(key_height_ * factor)), kMinKeyHeight,
                                kMaxKeyHeight);
  if (target == key_height_) return;
  const double rows = (anchor_y - kRulerHeight + verticalScrollBar()->value()) /
                      static_cast<double>(key_height_);
  key_height_ = target;
  updateScrollRanges();
  verticalScrollBar()->setValue(static_cast<int>(std::lround(rows * key_height_ - (anchor_y - kRulerHeight))));
  viewport()->update();
  Q_EMIT zoomChanged();
}

void PianoRollView::zoomInHorizontal() { zoomHorizontalAround(1.25, noteArea().left()); }
void PianoRollView::zoomOutHorizontal() { zoomHorizontalAround(0.8, noteArea().left()); }
void PianoRollView::zoomInVertical() { zoomVerticalAround(1.25, noteArea().center().y()); }
void PianoRollView::zoomOutVertical() { zoomVerticalAround(0.8, noteArea().center().y()); }

void PianoRollView::zoomToFit() { fitTicks(score_.end_tick()); }

void PianoRollView::fitTicks(music::Tick tick) {
  const double beats = static_cast<double>(std::max<music::Tick>(tick, score_.ticks_per_beat)) /
                       score_.ticks_per_beat;
  setPixelsPerBeat(std::max(1, noteArea().width() - 8) / beats);
  horizontalScrollBar()->setValue(0);
}

void PianoRollView::scrollToTick(music::Tick tick) {
  horizontalScrollBar()->setValue(
      static_cast<int>(std::lround(static_cast<double>(tick) / score_.ticks_per_beat * pixels_per_beat_)));
}

void PianoRollView::centerOnPitch(int pitch) {
  const int row_center = (127 - std::clamp(pitch, 0, 127)) * key_height_ + key_height_ / 2;
  verticalScrollBar()->setValue(row_center - noteArea().height() / 2);
}

void PianoRollView::centerOnNotes() {
  int lo = 128, hi = -1;
  for (const auto& track : score_.tracks)
    for (const auto& n : track.notes) {
      if (track.is_drum) continue;  // drum "pitches" are instruments, not a register
      lo = std::min(lo, n.pitch);
      hi = std::max(hi, n.pitch);
    }
  centerOnPitch(hi < 0 ? 60 : (lo + hi) / 2);
}

music::Tick PianoRollView::contentEndTick() const {
  music::Tick end = std::max({score_.end_tick(), training_tick_, prompt_end_tick_, playhead_tick_});
  // One extra bar of room, and never less than 16 bars, so an empty roll still shows a grid to scroll.
  return std::max<music::Tick>(end + 4 * score_.ticks_per_beat, 64 * score_.ticks_per_beat);
}

void PianoRollView::updateScrollRanges() {
  const QRect area = noteArea();
  const double width = static_cast<double>(contentEndTick()) / score_.ticks_per_beat * pixels_per_beat_;
  auto* h = horizontalScrollBar();
  h->setRange(0, std::max(0, static_cast<int>(std::ceil(width)) - area.width()));
  h->setPageStep(std::max(1, area.width()));
  h->setSingleStep(std::max(1, static_cast<int>(pixels_per_beat_ / 2)));
  auto* v = verticalScrollBar();
  v->setRange(0, std::max(0, 128 * key_height_ - area.height()));
  v->setPageStep(std::max(1, area.height()));
  v->setSingleStep(std::max(1, key_height_));
}

void PianoRollView::resizeEvent(QResizeEvent* event) {
  // Keep the pitch at the vertical centre where it was: resizing (including the first layout after a
  // score was loaded into a hidden view) must not slide the notes out of sight.
  const double centre = verticalScrollBar()->value() + last_area_height_ / 2.0;
  QAbstractScrollArea::resizeEvent(event);
  last_area_height_ = noteArea().height();
  updateScrollRanges();
  verticalScrollBar()->setValue(static_cast<int>(std::lround(centre - last_area_height_ / 2.0)));
}

void PianoRollView::scrollContentsBy(int, int) {
  // The keyboard and ruler stay put while the notes move, so the viewport is repainted, not blitted.
  viewport()->update();
}

void PianoRollView::wheelEvent(QWheelEvent* event) {
  const QPoint angle = event->angleDelta();
  const int delta = angle.y() != 0 ? angle.y() : angle.x();
  const auto mods = event->modifiers();
  const QPointF pos = event->position();
  if (mods & Qt::ControlModifier) {
    const double factor = std::pow(1.25, delta / 120.0);
    if (mods & Qt::ShiftModifier)
      zoomVerticalAround(factor, static_cast<int>(pos.y()));
    else
      zoomHorizontalAround(factor, std::max<double>(pos.x(), kKeyboardWidth));
    event->accept();
    return;
  }
  if (mods & Qt::ShiftModifier) {
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() - delta);
    event->accept();
    return;
  }
  QAbstractScrollArea::wheelEvent(event);
}

void PianoRollView::mousePressEvent(QMouseEvent* event) {
  const QPoint pos = event->position().toPoint();
  if (event->button() == Qt::MiddleButton) {  // grab-and-drag panning, as in DAWs
    pan_from_ = pos;
    viewport()->setCursor(Qt::ClosedHandCursor);
    event->accept();
    return;
  }
  if (event->button() == Qt::LeftButton && pos.y() < kRulerHeight && pos.x() >= kKeyboardWidth) {
    const music::Tick tick = std::max<music::Tick>(0, xToTick(pos.x()));
    setPlayheadTick(tick);
    Q_EMIT seekRequested(tick);
    event->accept();
    return;
  }
  if (event->button() == Qt::LeftButton) {
    if (const auto ref = noteAt(pos)) {
      const music::Note& n = note(*ref);
      Q_EMIT noteClicked(NoteKey{ref->track, n.start, n.pitch});
      event->accept();
      return;
    }
  }
  QAbstractScrollArea::mousePressEvent(event);
}

void PianoRollView::mouseMoveEvent(QMouseEvent* event) {
  const QPoint pos = event->position().toPoint();
  if (pan_from_ && (event->buttons() & Qt::MiddleButton)) {
    const QPoint delta = pos - *pan_from_;
    pan_from_ = pos;
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() - delta.x());
    verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
    event->accept();
    return;
  }
  if ((event->buttons() & Qt::LeftButton) && pos.y() < kRulerHeight) {
    const music::Tick tick = std::max<music::Tick>(0, xToTick(std::max(pos.x(), kKeyboardWidth)));
    setPlayheadTick(tick);
    Q_EMIT seekRequested(tick);
    event->accept();
    return;
  }
  QAbstractScrollArea::mouseMoveEvent(event);
}

void PianoRollView::mouseReleaseEvent(QMouseEvent* event) {
  if (event->button() == Qt::MiddleButton && pan_from_) {
    pan_from_.reset();
    viewport()->unsetCursor();
    event->accept();
    return;
  }
  QAbstractScrollArea::mouseReleaseEvent(event);
}

void PianoRollView::keyPressEvent(QKeyEvent* event) {
  switch (event->key()) {
    case Qt::Key_Home: horizontalScrollBar()->setValue(0); break;
    case Qt::Key_End: horizontalScrollBar()->setValue(horizontalScrollBar()->maximum()); break;
    default: QAbstractScrollArea::keyPressEvent(event); return;
  }
  event->accept();
}

bool PianoRollView::viewportEvent(QEvent* event) {
  if (event->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(event);
    const QString text = toolTipTextAt(help->pos());
    if (text.isEmpty())
      QToolTip::hideText();
    else
      QToolTip::showText(help->globalPos(), text, viewport(), noteRect(*noteAt(help->pos())));
    return true;
  }
  return QAbstractScrollArea::viewportEvent(event);
}

// ---- geometry ------------------------------------------------------------------------------------

QRect PianoRollView::noteArea() const {
  const QRect r = viewport()->rect();
  return QRect(kKeyboardWidth, kRulerHeight, std::max(0, r.width() - kKeyboardWidth),
               std::max(0, r.height() - kRulerHeight));
}

double PianoRollView::tickToX(music::Tick tick) const {
  return kKeyboardWidth + static_cast<double>(tick) / score_.ticks_per_beat * pixels_per_beat_ -
         horizontalScrollBar()->value();
}

music::Tick PianoRollView::xToTick(double x) const {
  return static_cast<music::Tick>(std::floor((x - kKeyboardWidth + horizontalScrollBar()->value()) /
                                             pixels_per_beat_ * score_.ticks_per_beat));
}

int PianoRollView::pitchToY(int pitch) const {
  return kRulerHeight + (127 - pitch) * key_height_ - verticalScrollBar()->value();
}

int PianoRollView::yToPitch(int y) const {
  const int content_y = y - kRulerHeight + verticalScrollBar()->value();
  if (content_y < 0) return -1;
  const int pitch = 127 - content_y / key_height_;
  return pitch >= 0 ? pitch : -1;
}

const music::Note& PianoRollView::note(NoteRef ref) const {
  return score_.tracks.at(static_cast<std::size_t>(ref.track)).notes.at(static_cast<std::size_t>(ref.index));
}

QRect PianoRollView::noteRect(NoteRef ref) const {
  const music::Note& n = note(ref);
  const int x0 = static_cast<int>(std::lround(tickToX(n.start)));
  const int x1 = std::max(x0 + kMinNoteWidth, static_cast<int>(std::lround(tickToX(n.end))));
  // A one-pixel gap between rows keeps neighbouring pitches apart once rows are tall enough.
  const int h = key_height_ >= 6 ? key_height_ - 1 : key_height_;
  return QRect(x0, pitchToY(n.pitch), x1 - x0, h);
}

QColor PianoRollView::noteFillColor(NoteRef ref) const {
  const auto& track = score_.tracks.at(static_cast<std::size_t>(ref.track));
  const music::Note& n = note(ref);
  return note_fill_color(track_color(ref.track, track.is_drum), n.velocity, n.from_prompt);
}

std::pair<std::size_t, std::size_t> PianoRollView::candidateRange(int track, music::Tick from,
                                                                  music::Tick to) const {
  const auto& notes = score_.tracks[static_cast<std::size_t>(track)].notes;
  const music::Tick earliest = from - longest_note_[static_cast<std::size_t>(track)];
  auto by_start = [](const music::Note& n, music::Tick t) { return n.start < t; };
  auto first = std::lower_bound(notes.begin(), notes.end(), earliest, by_start);
  auto last = std::lower_bound(first, notes.end(), to, by_start);
  return {static_cast<std::size_t>(first - notes.begin()), static_cast<std::size_t>(last - notes.begin())};
}

std::optional<NoteRef> PianoRollView::noteAt(QPoint pos) const {
  if (!noteArea().contains(pos)) return std::nullopt;
  // Short notes are widened to kMinNoteWidth pixels, so look that far to the left as well.
  const music::Tick from = xToTick(pos.x() - kMinNoteWidth - 1);
  const music::Tick to = xToTick(pos.x() + 1) + 1;
  for (int t = static_cast<int>(score_.tracks.size()) - 1; t >= 0; --t) {
    const auto [first, last] = candidateRange(t, from, to);
    for (std::size_t i = last; i-- > first;) {
      const NoteRef ref{t, static_cast<int>(i)};
      if (noteRect(ref).contains(pos)) return ref;
    }
  }
  return std::nullopt;
}

QString PianoRollView::toolTipTextAt(QPoint pos) const {
  const auto ref = noteAt(pos);
  if (!ref) return {};
  const auto& track = score_.tracks[static_cast<std::size_t>(ref->track)];
  const music::Note& n = note(*ref);
  const int bar = bar_at_tick(score_, n.start);
  const double beat_in_bar =
      static_cast<double>(n.start - bar_start_tick(score_, bar)) / score_.ticks_per_beat + 1.0;
  const double beats = static_cast<double>(n.end - n.start) / score_.ticks_per_beat;
  const QString track_name = track.name.empty() ? QStringLiteral("Track %1").arg(ref->track + 1)
                                                 : QString::fromStdString(track.name);
  return QStringLiteral("<b>%1</b> (%2) &middot; velocity %3<br>bar %4, beat %5 &middot; %6 &middot; %7 beats"
                        "<br>%8%9%10")
      .arg(QString::fromStdString(pitch_name(n.pitch)))
      .arg(n.pitch)
      .arg(n.velocity)
      .arg(bar + 1)
      .arg(beat_in_bar, 0, 'g', 4)
      .arg(QString::fromStdString(format_seconds(tick_to_seconds(score_, n.start))))
      .arg(beats, 0, 'g', 3)
      .arg(track_name.toHtmlEscaped())
      .arg(track.is_drum ? QStringLiteral(" (drums)") : QString())
      .arg(n.from_prompt ? QStringLiteral(" &middot; prompt") : QString());
}

// ---- painting ------------------------------------------------------------------------------------

void PianoRollView::paintEvent(QPaintEvent* event) {
  QPainter p(viewport());
  const QRect area = noteArea();
  const QRect dirty = event->rect();
  if (dirty.intersects(area)) {
    p.save();
    p.setClipRect(area.intersected(dirty));
    paintBackground(p, area);
    paintGrid(p, area);
    paintNotes(p, area);
    paintHighlights(p);
    paintOverlays(p, area);
    p.restore();
  }
  if (dirty.left() < kKeyboardWidth) paintKeyboard(p);
  if (dirty.top() < kRulerHeight) paintRuler(p);
  p.fillRect(QRect(0, 0, kKeyboardWidth, kRulerHeight), piano_roll_colors().ruler_background);
}

void PianoRollView::paintBackground(QPainter& p, const QRect& area) const {
  const auto& c = piano_roll_colors();
  p.fillRect(area, c.white_key_row);
  const int top = std::min(127, yToPitch(area.top()));
  const int bottom = std::max(0, yToPitch(area.bottom()));
  for (int pitch = top; pitch >= bottom && pitch >= 0; --pitch) {
    const int y = pitchToY(pitch);
    if (is_black_key(pitch)) p.fillRect(QRect(area.left(), y, area.width(), key_height_), c.black_key_row);
    if (pitch % 12 == 0) p.fillRect(QRect(area.left(), y + key_height_ - 1, area.width(), 1), c.octave_line);
  }
  // Zoomed out, the 128 rows may not fill the height: below pitch 0 there is nothing to place notes on.
  const int floor_y = pitchToY(-1);
  if (floor_y < area.bottom()) p.fillRect(QRect(area.left(), floor_y, area.width(), area.bottom() - floor_y + 1), c.ruler_background);
}

namespace {
// Bars are labelled (and drawn strong) every `step` bars, a power of two that keeps labels >= 36 px apart.
int bar_label_step(double pixels_per_beat) {
  int step = 1;
  while (pixels_per_beat * 4 * step < 36) step *= 2;
  return step;
}
}  // namespace

void PianoRollView::paintGrid(QPainter& p, const QRect& area) const {
  const auto& c = piano_roll_colors();
  const double beat_px = pixels_per_beat_;
  const music::Tick from = std::max<music::Tick>(0, xToTick(area.left()) - 1);
  const music::Tick to = xToTick(area.right()) + 2;
  const auto lines = grid_lines(score_, from, to);
  // Sixteenth lines once a beat is wide enough to place notes on them by eye.
  if (beat_px >= 48) {
    const music::Tick sixteenth = std::max(1, score_.ticks_per_beat / 4);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const music::Tick next = i + 1 < lines.size() ? lines[i + 1].tick : lines[i].tick + score_.ticks_per_beat;
      for (music::Tick t = lines[i].tick + sixteenth; t < next; t += sixteenth) {
        const int x = static_cast<int>(std::lround(tickToX(t)));
        p.fillRect(QRect(x, area.top(), 1, area.height()), c.subdivision_line);
      }
    }
  }
  // Zoomed far out, only every few bars gets a line, so the grid stays a grid and not a grey wash.
  const int label_step = bar_label_step(beat_px);
  int bar_step = 1;
  while (beat_px * 4 * bar_step < 12) bar_step *= 2;
  for (const auto& line : lines) {
    const int x = static_cast<int>(std::lround(tickToX(line.tick)));
    if (line.is_bar()) {
      if (line.bar % label_step == 0)
        p.fillRect(QRect(x, area.top(), 1, area.height()), c.bar_line);
      else if (line.bar % bar_step == 0)
        p.fillRect(QRect(x, area.top(), 1, area.height()), c.beat_line);
    } else if (beat_px >= 8) {
      p.fillRect(QRect(x, area.top(), 1, area.height()), c.beat_line);
    }
  }
}

void PianoRollView::paintNotes(QPainter& p, const QRect& area) const {
  const music::Tick from = xToTick(area.left() - kMinNoteWidth);
  const music::Tick to = xToTick(area.right() + 1) + 1;
  const int low_pitch = std::max(0, yToPitch(area.bottom()));
  const int high_pitch = std::min(127, yToPitch(area.top()) < 0 ? 127 : yToPitch(area.top()));
  for (int t = 0; t < static_cast<int>(score_.tracks.size()); ++t) {
    const auto& track = score_.tracks[static_cast<std::size_t>(t)];
    const QColor base = track_color(t, track.is_drum);
    const auto [first, last] = candidateRange(t, from, to);
    for (std::size_t i = first; i < last; ++i) {
      const music::Note& n = track.notes[i];
      if (n.end < from || n.pitch < low_pitch || n.pitch > high_pitch) continue;
      const QRect r = noteRect({t, static_cast<int>(i)});
      const QColor fill = note_fill_color(base, n.velocity, n.from_prompt);
      if (r.width() >= 4 && r.height() >= 4) {
        p.fillRect(r, note_outline_color(base, n.from_prompt));
        p.fillRect(r.adjusted(1, 1, -1, -1), fill);
      } else {
        p.fillRect(r, fill);
      }
    }
  }
}

void PianoRollView::paintOverlays(QPainter& p, const QRect& area) const {
  const auto& c = piano_roll_colors();
  if (prompt_end_tick_ > 0) {
    const int x = static_cast<int>(std::lround(tickToX(prompt_end_tick_)));
    if (x > area.left()) p.fillRect(QRect(area.left(), area.top(), x - area.left(), area.height()), c.prompt_tint);
  }
  if (training_tick_ >= 0) {
    const int x = static_cast<int>(std::lround(tickToX(training_tick_)));
    p.fillRect(QRect(x - 1, area.top(), 2, area.height()), c.training_marker);
  }
  if (playhead_tick_ >= 0) {
    const int x = static_cast<int>(std::lround(tickToX(playhead_tick_)));
    p.fillRect(QRect(x, area.top(), 1, area.height()), c.playhead);
  }
}

void PianoRollView::setNoteHighlights(std::optional<NoteKey> focus, std::vector<NoteKey> attended) {
  focus_note_ = focus;
  attended_notes_ = std::move(attended);
  viewport()->update();
}

std::optional<NoteRef> PianoRollView::findNote(const NoteKey& key) const {
  if (key.track < 0 || key.track >= static_cast<int>(score_.tracks.size())) return std::nullopt;
  const auto& notes = score_.tracks[static_cast<std::size_t>(key.track)].notes;
  auto it = std::lower_bound(notes.begin(), notes.end(), key.start,
                             [](const music::Note& n, music::Tick t) { return n.start < t; });
  for (; it != notes.end() && it->start == key.start; ++it)
    if (it->pitch == key.pitch) return NoteRef{key.track, static_cast<int>(it - notes.begin())};
  return std::nullopt;
}

void PianoRollView::paintHighlights(QPainter& p) const {
  const auto& c = piano_roll_colors();
  auto frame = [&](const NoteKey& key, const QColor& colour, int width) {
    const auto ref = findNote(key);
    if (!ref) return;
    p.setPen(QPen(colour, width));
    p.setBrush(Qt::NoBrush);
    p.drawRect(noteRect(*ref).adjusted(-width, -width, width - 1, width - 1));
  };
  for (const auto& key : attended_notes_) frame(key, c.training_marker, 2);
  if (focus_note_) frame(*focus_note_, c.white_key, 2);
}

void PianoRollView::paintKeyboard(QPainter& p) const {
  const auto& c = piano_roll_colors();
  const QRect strip(0, kRulerHeight, kKeyboardWidth, std::max(0, viewport()->height() - kRulerHeight));
  p.save();
  p.setClipRect(strip);
  p.fillRect(strip, c.white_key);
  QFont font = p.font();
  font.setPixelSize(std::clamp(key_height_ + 1, 8, 11));
  p.setFont(font);
  const int top = yToPitch(strip.top()) < 0 ? 127 : std::min(127, yToPitch(strip.top()));
  const int bottom = std::max(0, yToPitch(strip.bottom()));
  for (int pitch = top; pitch >= bottom; --pitch) {
    const int y = pitchToY(pitch);
    if (is_black_key(pitch)) {
      p.fillRect(QRect(0, y, kKeyboardWidth * 3 / 5, key_height_), c.black_key);
    } else if (pitch % 12 == 0 || pitch % 12 == 5) {
      // The gaps between white keys fall below C and F (no black key there).
      p.fillRect(QRect(0, y + key_height_ - 1, kKeyboardWidth, 1), QColor(0xa0, 0xa4, 0xae));
    }
    if (pitch % 12 == 0) {
      p.setPen(c.key_label);
      // Labels need some room: with tiny rows they are drawn anyway, centred on the C row, and overlap
      // the neighbouring rows rather than vanish.
      const int label_h = std::max(key_height_, 12);
      p.drawText(QRect(0, y + key_height_ / 2 - label_h / 2, kKeyboardWidth - 4, label_h),
                 Qt::AlignRight | Qt::AlignVCenter, QString::fromStdString(pitch_name(pitch)));
    }
  }
  const int floor_y = pitchToY(-1);
  if (floor_y < strip.bottom()) p.fillRect(QRect(0, floor_y, kKeyboardWidth, strip.bottom() - floor_y + 1), c.ruler_background);
  p.fillRect(QRect(kKeyboardWidth - 1, strip.top(), 1, strip.height()), c.bar_line);
  p.restore();
}

void PianoRollView::paintRuler(QPainter& p) const {
  const auto& c = piano_roll_colors();
  const QRect ruler(kKeyboardWidth, 0, std::max(0, viewport()->width() - kKeyboardWidth), kRulerHeight);
  p.save();
  p.setClipRect(ruler);
  p.fillRect(ruler, c.ruler_background);
  QFont font = p.font();
  font.setPixelSize(11);
  p.setFont(font);
  const auto lines = grid_lines(score_, std::max<music::Tick>(0, xToTick(ruler.left()) - 1),
                                xToTick(ruler.right()) + 2);
  const int label_step = bar_label_step(pixels_per_beat_);
  for (const auto& line : lines) {
    const int x = static_cast<int>(std::lround(tickToX(line.tick)));
    if (line.is_bar()) {
      if (line.bar % label_step != 0) continue;
      p.fillRect(QRect(x, kRulerHeight - 10, 1, 10), c.ruler_text);
      p.setPen(c.ruler_text);
      p.drawText(QRect(x + 3, 0, 60, kRulerHeight - 6), Qt::AlignLeft | Qt::AlignVCenter,
                 QString::number(line.bar + 1));
    } else if (pixels_per_beat_ >= 8) {
      p.fillRect(QRect(x, kRulerHeight - 4, 1, 4), c.bar_line);
    }
  }
  p.fillRect(QRect(ruler.left(), kRulerHeight - 1, ruler.width(), 1), c.bar_line);
  if (prompt_end_tick_ > 0) {
    const int x = static_cast<int>(std::lround(tickToX(prompt_end_tick_)));
    QColor band = c.prompt_tint;
    band.setAlpha(140);
    p.fillRect(QRect(ruler.left(), kRulerHeight - 3, x - ruler.left(), 2), band);
  }
  if (training_tick_ >= 0) {
    const int x = static_cast<int>(std::lround(tickToX(training_tick_)));
    p.fillRect(QRect(x - 1, 0, 2, kRulerHeight), c.training_marker);
    if (!training_label_.isEmpty()) {
      const QFontMetrics metrics(font);
      const QRect label(x + 1, 2, metrics.horizontalAdvance(training_label_) + 10, kRulerHeight - 8);
      p.fillRect(label, c.training_marker);
      p.setPen(QColor(0x20, 0x20, 0x20));
      p.drawText(label, Qt::AlignCenter, training_label_);
    }
  }
  if (playhead_tick_ >= 0) {
    const int x = static_cast<int>(std::lround(tickToX(playhead_tick_)));
    const QPoint tri[3] = {QPoint(x - 5, kRulerHeight - 9), QPoint(x + 5, kRulerHeight - 9),
                           QPoint(x, kRulerHeight - 1)};
    p.setPen(Qt::NoPen);
    p.setBrush(c.playhead);
    p.drawPolygon(tri, 3);
  }
  p.restore();
}

}  // namespace spe::ui
