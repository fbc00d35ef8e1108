#pragma once
// Musical time for display: where bars and beats fall (from the score's time signatures), tick → seconds
// (from its tempo map) and note names. Pure functions, no Qt, so the piano roll and panels agree.

#include <string>
#include <vector>

#include "music/score.hpp"

namespace spe::ui {

struct GridLine {
  music::Tick tick = 0;
  int bar = 0;       // 0-based bar index
  int beat = 0;      // 0 on the bar line, 1.. for the beats inside the bar
  bool is_bar() const { return beat == 0; }
};

// The bar and beat lines in [from, to): bars restart at every time-signature change (a change that falls
// inside a bar starts a new bar there, as sequencers do). Empty time signatures mean 4/4.
std::vector<GridLine> grid_lines(const music::Score& score, music::Tick from, music::Tick to);

// The tick at which bar `bar` (0-based) starts.
music::Tick bar_start_tick(const music::Score& score, int bar);

// The 0-based bar containing `tick`.
int bar_at_tick(const music::Score& score, music::Tick tick);

// Number of bars needed to hold every note (a score ending exactly on a bar line does not get an extra bar).
int bar_count(const music::Score& score);

// Seconds from the start at `tick`, following the tempo map (empty map = 120 BPM).
double tick_to_seconds(const music::Score& score, music::Tick tick);

// "C4" for 60 (MIDI octave convention: middle C = C4), "F#2" for 42.
std::string pitch_name(int pitch);

// "1:23.45" (minutes:seconds.hundredths).
std::string format_seconds(double seconds);

}  // namespace spe::ui
