#pragma once
// Time conversions for a Score: ticks ↔ seconds (through the tempo map) ↔ beats, and bars from the time
// signatures. Before the first tempo change the tempo is 120 BPM and before the first time signature
// the metre is 4/4, as in Standard MIDI Files. A time signature change starts a new bar at its tick,
// even where the previous bar was not complete (that partial bar counts as one bar). A bar lasts
// numerator × 4/denominator beats, rounded to whole ticks.

#include <cstdint>
#include <vector>

#include "music/score.hpp"

namespace spe::music {

class TempoMap {
 public:
  explicit TempoMap(const Score& score);
  TempoMap(int ticks_per_beat, std::vector<TempoChange> tempos, std::vector<TimeSignature> time_signatures);

  int ticks_per_beat() const { return ticks_per_beat_; }

  // Ticks ↔ seconds. Negative ticks / seconds extrapolate with the first tempo.
  double seconds_at(Tick tick) const;
  double ticks_at_seconds(double seconds) const;  // exact (fractional) ticks
  Tick tick_at_seconds(double seconds) const;     // rounded to the nearest tick
  double bpm_at(Tick tick) const;

  double beats_at(Tick tick) const { return static_cast<double>(tick) / ticks_per_beat_; }
  Tick tick_at_beats(double beats) const;

  // Bars (index 0 starts at tick 0).
  TimeSignature time_signature_at(Tick tick) const;
  Tick bar_length_at(Tick tick) const;  // ticks of the bar containing `tick`
  std::int64_t bar_index(Tick tick) const;  // bar containing `tick` (ticks < 0 → 0)
  Tick bar_start(std::int64_t index) const;
  double bars_at(Tick tick) const;  // fractional bar position: index + offset / bar length
  // Starts of every bar that begins before `end` (at least bar 0).
  std::vector<Tick> bar_starts(Tick end) const;

 private:
  struct TempoSegment {
    Tick tick;
    double seconds;  // time at `tick`
    double seconds_per_tick;
  };
  struct MetreSegment {
    Tick tick;
    std::int64_t first_bar;
    Tick bar_length;
    TimeSignature signature;
  };
  const TempoSegment& tempo_segment(Tick tick) const;
  const MetreSegment& metre_segment(Tick tick) const;

  int ticks_per_beat_;
  std::vector<TempoSegment> tempo_;
  std::vector<MetreSegment> metre_;
};

}  // namespace spe::music
