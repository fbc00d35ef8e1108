#include "timeline.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace spe::ui {
namespace {

// A stretch of constant metre: bars of `bar_len` ticks start at `start`, the first one numbered `first_bar`.
struct Segment {
  music::Tick start = 0;
  music::Tick bar_len = 1920;
  music::Tick beat_len = 480;
  int first_bar = 0;
};

music::Tick ceil_div(music::Tick a, music::Tick b) { return (a + b - 1) / b; }

std::vector<Segment> metre_segments(const music::Score& score) {
  const music::Tick tpb = std::max(1, score.ticks_per_beat);
  auto segment_for = [&](music::Tick start, int numerator, int denominator) {
    Segment s;
    s.start = start;
    // Malformed signatures (0/0, 7/3) fall back to something drawable rather than dividing by zero.
    const int num = std::clamp(numerator, 1, 64);
    const int den = (denominator >= 1 && denominator <= 64) ? denominator : 4;
    s.beat_len = std::max<music::Tick>(1, tpb * 4 / den);
    s.bar_len = s.beat_len * num;
    return s;
  };
  std::vector<Segment> segments;
  if (score.time_signatures.empty() || score.time_signatures.front().tick > 0)
    segments.push_back(segment_for(0, 4, 4));
  for (const auto& ts : score.time_signatures) {
    Segment s = segment_for(std::max<music::Tick>(0, ts.tick), ts.numerator, ts.denominator);
    if (!segments.empty() && segments.back().start == s.start) {
      s.first_bar = segments.back().first_bar;
      segments.back() = s;  // several signatures at one tick: the last one wins
      continue;
    }
    if (!segments.empty()) {
      const Segment& prev = segments.back();
      s.first_bar = prev.first_bar + static_cast<int>(ceil_div(s.start - prev.start, prev.bar_len));
    }
    segments.push_back(s);
  }
  return segments;
}

const Segment& segment_at_tick(const std::vector<Segment>& segments, music::Tick tick) {
  auto it = std::upper_bound(segments.begin(), segments.end(), tick,
                             [](music::Tick t, const Segment& s) { return t < s.start; });
  return it == segments.begin() ? segments.front() : *(it - 1);
}

}  // namespace

std::vector<GridLine> grid_lines(const music::Score& score, music::Tick from, music::Tick to) {
  std::vector<GridLine> lines;
  from = std::max<music::Tick>(0, from);
  if (to <= from) return lines;
  const auto segments = metre_segments(score);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const Segment& s = segments[i];
    const music::Tick seg_end = i + 1 < segments.size() ? segments[i + 1].start : to;
    if (seg_end <= from || s.start >= to) continue;
    const music::Tick first = std::max(from, s.start);
    // Start from the bar containing `first` so the scan costs O(visible lines), not O(score length).
    music::Tick bar = (first - s.start) / s.bar_len;
    for (;; ++bar) {
      const music::Tick bar_tick = s.start + bar * s.bar_len;
      if (bar_tick >= std::min(seg_end, to)) break;
      for (int beat = 0; beat * s.beat_len < s.bar_len; ++beat) {
        const music::Tick t = bar_tick + beat * s.beat_len;
        if (t >= std::min(seg_end, to)) break;
        if (t >= from) lines.push_back({t, s.first_bar + static_cast<int>(bar), beat});
      }
    }
  }
  return lines;
}

music::Tick bar_start_tick(const music::Score& score, int bar) {
  const auto segments = metre_segments(score);
  const Segment* seg = &segments.front();
  for (const auto& s : segments)
    if (s.first_bar <= bar) seg = &s;
  return seg->start + static_cast<music::Tick>(bar - seg->first_bar) * seg->bar_len;
}

int bar_at_tick(const music::Score& score, music::Tick tick) {
  const auto segments = metre_segments(score);
  const Segment& s = segment_at_tick(segments, std::max<music::Tick>(0, tick));
  return s.first_bar + static_cast<int>((std::max<music::Tick>(0, tick) - s.start) / s.bar_len);
}

int bar_count(const music::Score& score) {
  const music::Tick end = score.end_tick();
  if (end <= 0) return 0;
  return bar_at_tick(score, end - 1) + 1;
}

double tick_to_seconds(const music::Score& score, music::Tick tick) {
  const double tpb = std::max(1, score.ticks_per_beat);
  double seconds = 0.0;
  music::Tick at = 0;
  double bpm = 120.0;
  for (const auto& change : score.tempos) {
    if (change.tick >= tick) break;
    seconds += static_cast<double>(change.tick - at) / tpb * 60.0 / bpm;
    at = change.tick;
    if (change.bpm > 0) bpm = change.bpm;
  }
  return seconds + static_cast<double>(tick - at) / tpb * 60.0 / bpm;
}

std::string pitch_name(int pitch) {
  static const char* const names[12] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
  pitch = std::clamp(pitch, 0, 127);
  return std::string(names[pitch % 12]) + std::to_string(pitch / 12 - 1);
}

std::string format_seconds(double seconds) {
  const long long hundredths = std::llround(std::max(0.0, seconds) * 100.0);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%lld:%02lld.%02lld", hundredths / 6000, (hundredths / 100) % 60,
                hundredths % 100);
  return buffer;
}

}  // namespace spe::ui
