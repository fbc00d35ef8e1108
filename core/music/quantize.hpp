#pragma once
// Changing a score's time resolution and snapping it to a rhythmic grid. Neither ever produces a
// zero-length note: a note whose end would fall on or before its start keeps a minimal length
// (one tick after resampling, one grid step after snapping).

#include "music/score.hpp"

namespace spe::music {

// The same music at `ticks_per_beat` ticks per beat: every tick value (notes, tempos, signatures, key
// signatures, markers, chords) is scaled and rounded to the nearest tick (halves away from zero).
Score resample(const Score& score, int ticks_per_beat);

struct SnapOptions {
  // true: note ends snap to the grid too (REMI durations); false: notes keep their duration.
  bool snap_ends = true;
  // Also move tempo changes, markers and chords onto the grid (time and key signatures stay put).
  bool snap_conductor = true;
};

// Onsets (and, by default, ends) to the nearest multiple of `grid` ticks (halves round up).
Score snap_to_grid(const Score& score, Tick grid, const SnapOptions& options = {});

// Grid step for `subdivisions` per beat at `ticks_per_beat`, e.g. (480, 4) → 120 (16 steps per 4/4 bar),
// (480, 12) → 40. Throws std::invalid_argument when it is not a whole number of ticks.
Tick grid_ticks(int ticks_per_beat, int subdivisions_per_beat);

}  // namespace spe::music
