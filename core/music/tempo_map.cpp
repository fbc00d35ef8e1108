#include "music/tempo_map.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace spe::music {

TempoMap::TempoMap(const Score& score) : TempoMap(score.ticks_per_beat, score.tempos, score.time_signatures) {}

TempoMap::TempoMap(int ticks_per_beat, std::vector<TempoChange> tempos, std::vector<TimeSignature> signatures)
    : ticks_per_beat_(ticks_per_beat) {
  if (ticks_per_beat < 1) throw std::invalid_argument("TempoMap: ticks_per_beat must be positive");
  std::stable_sort(tempos.begin(), tempos.end(), [](auto& a, auto& b) { return a.tick < b.tick; });
  std::stable_sort(signatures.begin(), signatures.end(), [](auto& a, auto& b) { return a.tick < b.tick; });

  auto spt = [&](double bpm) { return 60.0 / (std::max(bpm, 1e-6) * ticks_per_beat_); };
  tempo_.push_back({0, 0.0, spt(120.0)});
  for (const auto& t : tempos) {
    const Tick tick = std::max<Tick>(t.tick, 0);
    const auto& last = tempo_.back();
    const double seconds = last.seconds + static_cast<double>(tick - last.tick) * last.seconds_per_tick;
    if (tick == last.tick) tempo_.back() = {tick, seconds, spt(t.bpm)};  // later change at one tick wins
    else tempo_.push_back({tick, seconds, spt(t.bpm)});
  }

  auto bar_length = [&](const TimeSignature& ts) {
    const double beats = ts.numerator * 4.0 / std::max(ts.denominator, 1);
    return std::max<Tick>(1, std::llround(beats * ticks_per_beat_));
  };
  metre_.push_back({0, 0, bar_length(TimeSignature{}), TimeSignature{}});
  for (const auto& ts : signatures) {
    if (ts.numerator < 1 || ts.denominator < 1) continue;
    const Tick tick = std::max<Tick>(ts.tick, 0);
    const auto& last = metre_.back();
    // Bars started since the previous change, a partial last bar included.
    const std::int64_t bars = (tick - last.tick + last.bar_length - 1) / last.bar_length;
    MetreSegment seg{tick, last.first_bar + bars, bar_length(ts), ts};
    seg.signature.tick = tick;
    if (tick == last.tick) {
      seg.first_bar = last.first_bar;
      metre_.back() = seg;
    } else {
      metre_.push_back(seg);
    }
  }
}

const TempoMap::TempoSegment& TempoMap::tempo_segment(Tick tick) const {
  auto it = std::upper_bound(tempo_.begin(), tempo_.end(), tick, [](Tick t, const TempoSegment& s) { return t < s.tick; });
  return it == tempo_.begin() ? tempo_.front() : *std::prev(it);
}

const TempoMap::MetreSegment& TempoMap::metre_segment(Tick tick) const {
  auto it = std::upper_bound(metre_.begin(), metre_.end(), tick, [](Tick t, const MetreSegment& s) { return t < s.tick; });
  return it == metre_.begin() ? metre_.front() : *std::prev(it);
}

double TempoMap::seconds_at(Tick tick) const {
  const auto& s = tempo_segment(tick);
  return s.seconds + static_cast<double>(tick - s.tick) * s.seconds_per_tick;
}

double TempoMap::ticks_at_seconds(double seconds) const {
  auto it = std::upper_bound(tempo_.begin(), tempo_.end(), seconds,
                             [](double t, const TempoSegment& s) { return t < s.seconds; });
  const auto& s = it == tempo_.begin() ? tempo_.front() : *std::prev(it);
  return static_cast<double>(s.tick) + (seconds - s.seconds) / s.seconds_per_tick;
}

Tick TempoMap::tick_at_seconds(double seconds) const { return std::llround(ticks_at_seconds(seconds)); }

double TempoMap::bpm_at(Tick tick) const { return 60.0 / (tempo_segment(tick).seconds_per_tick * ticks_per_beat_); }

Tick TempoMap::tick_at_beats(double beats) const { return std::llround(beats * ticks_per_beat_); }

TimeSignature TempoMap::time_signature_at(Tick tick) const { return metre_segment(tick).signature; }

Tick TempoMap::bar_length_at(Tick tick) const {
  const auto& m = metre_segment(tick);
  // The bar cut short by the next signature change is shorter than the signature says.
  const std::int64_t index = bar_index(tick);
  const Tick start = bar_start(index);
  return std::min(m.bar_length, bar_start(index + 1) - start);
}

std::int64_t TempoMap::bar_index(Tick tick) const {
  if (tick <= 0) return 0;
  const auto& m = metre_segment(tick);
  return m.first_bar + (tick - m.tick) / m.bar_length;
}

Tick TempoMap::bar_start(std::int64_t index) const {
  if (index <= 0) return 0;
  auto it = std::upper_bound(metre_.begin(), metre_.end(), index,
                             [](std::int64_t i, const MetreSegment& s) { return i < s.first_bar; });
  const auto& m = *std::prev(it);  // metre_.front().first_bar == 0 <= index
  return m.tick + (index - m.first_bar) * m.bar_length;
}

double TempoMap::bars_at(Tick tick) const {
  const std::int64_t index = bar_index(tick);
  const Tick start = bar_start(index);
  const Tick length = bar_start(index + 1) - start;
  return static_cast<double>(index) + static_cast<double>(std::max<Tick>(tick, 0) - start) / length;
}

std::vector<Tick> TempoMap::bar_starts(Tick end) const {
  std::vector<Tick> starts{0};
  for (std::int64_t i = 1;; ++i) {
    const Tick t = bar_start(i);
    if (t >= end) break;
    starts.push_back(t);
  }
  return starts;
}

}  // namespace spe::music
