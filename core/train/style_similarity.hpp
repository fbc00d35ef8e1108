#pragma once
// Style similarity of the groove experiment (paper appendix C.2, after Cífka et al. 2019/2020): two
// "style profiles" (2-D histograms, flattened) compared by cosine similarity.
//  * onset-duration: per note (start mod 4 beats, duration) ∈ [0,4) × [0,2) beats, 24 × 12 bins;
//  * time-pitch: per ordered pair of distinct notes a, b with 0 ≤ start(b) − start(a) < 4 beats and
//    |pitch(b) − pitch(a)| ≤ 20: (start(b) − start(a), pitch(b) − pitch(a)), 24 × 41 bins.
// Values outside a histogram's range are left out (not clipped into the edge bins). Drum notes have no
// pitch in the musical sense and are left out unless asked for. Only notes whose onset lies in
// [from, to) count (for time-pitch both notes of a pair).

#include <limits>
#include <vector>

#include "music/score.hpp"

namespace spe::train {

struct StyleWindow {
  music::Tick from = 0;
  music::Tick to = std::numeric_limits<music::Tick>::max();
  bool include_drums = false;
};

inline constexpr int kOnsetBins = 24, kDurationBins = 12, kLagBins = 24, kIntervalBins = 41;

std::vector<double> onset_duration_profile(const music::Score& score, const StyleWindow& window = {});
std::vector<double> time_pitch_profile(const music::Score& score, const StyleWindow& window = {});

// Cosine similarity; 0 when either vector is all zeros (nothing to compare).
double cosine_similarity(const std::vector<double>& a, const std::vector<double>& b);

struct ChunkSimilarity {
  music::Tick from = 0, to = 0;
  double time_pitch = 0;
  double onset_duration = 0;
  std::size_t notes = 0;  // notes of the chunk inside the onset-duration histogram's range
};

// Splits the continuation after `prompt_end` (up to the end of its last note) into `chunks` chunks of equal
// duration and compares each with the whole source song (the paper's Figure 5). Both scores must use
// the same ticks_per_beat or are compared in beats (profiles are computed in beats, so they need not).
std::vector<ChunkSimilarity> continuation_style_similarity(const music::Score& continuation,
                                                           const music::Score& source, music::Tick prompt_end,
                                                           int chunks = 4);

}  // namespace spe::train
