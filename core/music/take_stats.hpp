#pragma once
// Statistics of a take: does a generated continuation sound like its prompt? A take is a Score whose
// first `from_bar` bars are the prompt; `take_stats` measures the prompt, the continuation and each
// quarter of the continuation (so a take that fades out shows as a last quarter sparser than the first).
//
// Definitions (exact; the tests recompute them independently):
// * Bars are those of `TempoMap` (time signatures; 4/4 before the first one; a signature change starts a
//   new bar). Tempo changes move no bar line and change no figure: every time below is in ticks.
// * A note belongs to the bar that contains its onset (`start`). Drum notes (Track::is_drum) count in
//   `notes`, `notes_per_bar` and the empty-bar test, but not in the pitch figures (entropy, polyphony,
//   pitch range), whose pitches are drum instruments, not notes.
// * The take's length `total_bars` is the number of bars up to and including the bar that contains the
//   last sounding tick of any note (max over notes of `end - 1`; `end` is exclusive). A final note held
//   into a bar of its own thus makes that bar part of the take (an empty one). No notes: 0 bars.
// * prompt = bars [0, B); continuation = bars [B, max(B, total_bars)), with B = max(0, from_bar). The
//   prompt always has B bars, even when the take is shorter.
// * Quarters: with the continuation's n bars, quarter q (0..3) is bars [B + ⌊q·n/4⌋, B + ⌊(q+1)·n/4⌋).
//   When n is not a multiple of 4 the later quarters get the extra bars; when n < 4 some quarters are
//   empty (0 bars).
// For a range of bars [a, b) (ticks [bar_start(a), bar_start(b))):
// * notes: onsets in the range, drums included. notes_per_bar = notes / bars.
// * empty_bar_fraction: bars in the range with no onset of any note (drums included), / bars.
// * pitch_class_entropy_bits: Shannon entropy H = −Σ p_k log2 p_k of the histogram of non-drum onsets in
//   the range per pitch class k = pitch mod 12 (0 = C); 0 when all are one class or there are none;
//   at most log2 12 ≈ 3.585.
// * mean_polyphony: time-weighted mean number of sounding non-drum notes over the ticks of the range
//   where at least one sounds. Every non-drum note is clipped to the range's ticks, whatever bar its onset
//   is in (a note held across a range border counts on both sides for the time it sounds there); then
//   mean_polyphony = Σ clipped lengths / length of the union of the clipped intervals. Two overlapping
//   notes of the same pitch count twice. 0 when nothing sounds in the range.
// * pitch_min / pitch_max: lowest / highest non-drum onset pitch in the range; -1 when there is none.
// * A range with 0 bars has every figure 0 (pitch_min / pitch_max -1).
// Text and JSON renderings are in the CLI (`spe stats`); to_json here gives one JSON object, numbers in
// shortest round-trip form, `null` for a pitch bound that does not exist and for an undefined ratio.

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "music/score.hpp"

namespace spe::music {

struct BarRangeStats {
  int first_bar = 0;  // the range is bars [first_bar, first_bar + bars)
  int bars = 0;
  int notes = 0;
  double notes_per_bar = 0;
  double empty_bar_fraction = 0;
  double pitch_class_entropy_bits = 0;
  double mean_polyphony = 0;
  int pitch_min = -1;
  int pitch_max = -1;
};

struct TakeStats {
  int from_bar = 0;    // B
  int total_bars = 0;  // the take's length in bars (see above)
  BarRangeStats prompt;        // bars [0, B)
  BarRangeStats continuation;  // bars [B, max(B, total_bars))
  std::array<BarRangeStats, 4> quarters;  // of the continuation
  // quarters[3].notes_per_bar / quarters[0].notes_per_bar; nullopt when the first quarter has no notes
  // (or no bars). Below 1: the take thins out.
  std::optional<double> last_vs_first_quarter_density;
};

BarRangeStats bar_range_stats(const Score& score, int first_bar, int end_bar);  // bars [first, end)
int take_bars(const Score& score);  // total_bars as defined above
TakeStats take_stats(const Score& score, int from_bar);

// Mean over several takes (`spe stats` with several files). Each figure of a range is averaged over the
// takes whose range has at least one bar (`takes` counts them); pitch_min / pitch_max over those whose
// range has a pitched note (`pitched_takes`). Figures without any take to average are nullopt.
struct BarRangeMean {
  int takes = 0;
  int pitched_takes = 0;
  std::optional<double> bars, notes, notes_per_bar, empty_bar_fraction, pitch_class_entropy_bits,
      mean_polyphony, pitch_min, pitch_max;
};
struct TakeStatsMean {
  int files = 0;
  BarRangeMean prompt, continuation;
  std::array<BarRangeMean, 4> quarters;
  std::optional<double> last_vs_first_quarter_density;  // mean over the takes where it is defined
};
TakeStatsMean mean_over(const std::vector<TakeStats>& takes);

// One-line JSON objects (no file name: the caller adds it).
// BarRangeStats: {"first_bar","bars","notes","notes_per_bar","empty_bar_fraction",
//                 "pitch_class_entropy_bits","mean_polyphony","pitch_min","pitch_max"}
// TakeStats: {"from_bar","total_bars","prompt","continuation","quarters":[4],"last_vs_first_quarter_density"}
// TakeStatsMean: {"mean_over_files", then the TakeStats keys; ranges are BarRangeMean objects:
//                {"takes","pitched_takes","bars","notes",... as BarRangeStats without "first_bar"}}.
std::string to_json(const BarRangeStats& stats);
std::string to_json(const TakeStats& stats);
std::string to_json(const BarRangeMean& mean);
std::string to_json(const TakeStatsMean& mean);

}  // namespace spe::music
