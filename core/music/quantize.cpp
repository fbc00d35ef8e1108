#include "music/quantize.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "music/score_midi.hpp"

namespace spe::music {
namespace {

// Round-half-away-from-zero of value × num / den without overflow for any tick a file can hold.
Tick scale(Tick value, std::int64_t num, std::int64_t den) {
  const __int128 p = static_cast<__int128>(value) * num;
  const __int128 half = den / 2;
  return static_cast<Tick>(p >= 0 ? (p + half) / den : -((-p + half) / den));
}

Tick snap(Tick value, Tick grid) {
  const Tick down = (value >= 0 ? value / grid : -((-value + grid - 1) / grid)) * grid;
  return (value - down) * 2 >= grid ? down + grid : down;
}

template <typename F>
void for_each_timed(Score& s, bool include_signatures, F&& f) {
  for (auto& t : s.tempos) f(t.tick);
  for (auto& m : s.markers) f(m.tick);
  for (auto& c : s.chords) f(c.tick);
  if (include_signatures) {
    for (auto& t : s.time_signatures) f(t.tick);
    for (auto& k : s.key_signatures) f(k.tick);
  }
}

}  // namespace

Score resample(const Score& score, int ticks_per_beat) {
  if (ticks_per_beat < 1) throw std::invalid_argument("resample: ticks_per_beat must be positive");
  if (score.ticks_per_beat < 1) throw std::invalid_argument("resample: score has no valid ticks_per_beat");
  Score out = score;
  out.ticks_per_beat = ticks_per_beat;
  const std::int64_t num = ticks_per_beat, den = score.ticks_per_beat;
  for (auto& track : out.tracks) {
    for (auto& n : track.notes) {
      n.start = scale(n.start, num, den);
      n.end = std::max(scale(n.end, num, den), n.start + 1);
    }
    sort_notes(track.notes);
  }
  for_each_timed(out, true, [&](Tick& t) { t = scale(t, num, den); });
  return out;
}

Score snap_to_grid(const Score& score, Tick grid, const SnapOptions& options) {
  if (grid < 1) throw std::invalid_argument("snap_to_grid: grid must be at least one tick");
  Score out = score;
  for (auto& track : out.tracks) {
    for (auto& n : track.notes) {
      const Tick start = snap(n.start, grid);
      const Tick end = options.snap_ends ? snap(n.end, grid) : start + (n.end - n.start);
      n.start = start;
      n.end = end > start ? end : start + (options.snap_ends ? grid : 1);
    }
    sort_notes(track.notes);
  }
  if (options.snap_conductor) {
    for_each_timed(out, false, [&](Tick& t) { t = snap(t, grid); });
    // Snapping can merge tempo changes onto one tick: the later one wins, as when reading MIDI.
    auto& tempos = out.tempos;
    std::vector<TempoChange> merged;
    for (const auto& t : tempos) {
      if (!merged.empty() && merged.back().tick == t.tick) merged.back() = t;
      else merged.push_back(t);
    }
    tempos = std::move(merged);
  }
  return out;
}

Tick grid_ticks(int ticks_per_beat, int subdivisions_per_beat) {
  if (ticks_per_beat < 1 || subdivisions_per_beat < 1 || ticks_per_beat % subdivisions_per_beat != 0)
    throw std::invalid_argument("grid_ticks: " + std::to_string(ticks_per_beat) + " ticks per beat cannot be split into " +
                                std::to_string(subdivisions_per_beat) + " equal steps");
  return ticks_per_beat / subdivisions_per_beat;
}

}  // namespace spe::music
