#include "train/style_similarity.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace spe::train {

namespace {

struct BeatNote {
  double start, end;  // beats
  int pitch;
};

std::vector<BeatNote> notes_in(const music::Score& score, const StyleWindow& w) {
  if (score.ticks_per_beat <= 0) throw std::invalid_argument("score has no valid ticks_per_beat");
  const double tpb = score.ticks_per_beat;
  std::vector<BeatNote> out;
  for (const auto& track : score.tracks) {
    if (track.is_drum && !w.include_drums) continue;
    for (const auto& n : track.notes)
      if (n.start >= w.from && n.start < w.to)
        out.push_back({static_cast<double>(n.start) / tpb, static_cast<double>(n.end) / tpb, n.pitch});
  }
  std::sort(out.begin(), out.end(), [](const BeatNote& a, const BeatNote& b) { return a.start < b.start; });
  return out;
}

// Bin of x in [0, range) split into `bins`, or -1 outside.
int bin_of(double x, double range, int bins) {
  if (x < 0 || x >= range) return -1;
  return std::min(bins - 1, static_cast<int>(std::floor(x / range * bins)));
}

}  // namespace

std::vector<double> onset_duration_profile(const music::Score& score, const StyleWindow& window) {
  std::vector<double> h(kOnsetBins * kDurationBins, 0.0);
  for (const auto& n : notes_in(score, window)) {
    const int o = bin_of(std::fmod(n.start, 4.0), 4.0, kOnsetBins);
    const int d = bin_of(n.end - n.start, 2.0, kDurationBins);
    if (o >= 0 && d >= 0) h[static_cast<std::size_t>(o * kDurationBins + d)] += 1;
  }
  return h;
}

std::vector<double> time_pitch_profile(const music::Score& score, const StyleWindow& window) {
  std::vector<double> h(kLagBins * kIntervalBins, 0.0);
  const auto notes = notes_in(score, window);
  for (std::size_t i = 0; i < notes.size(); ++i) {
    // Partners start at or after a: from the first note with the same onset, while the lag is < 4 beats.
    auto first = std::lower_bound(notes.begin(), notes.end(), notes[i].start,
                                  [](const BeatNote& n, double s) { return n.start < s; });
    for (auto it = first; it != notes.end() && it->start - notes[i].start < 4.0; ++it) {
      if (static_cast<std::size_t>(it - notes.begin()) == i) continue;
      const int lag = bin_of(it->start - notes[i].start, 4.0, kLagBins);
      const int interval = it->pitch - notes[i].pitch;
      if (lag < 0 || interval < -20 || interval > 20) continue;
      h[static_cast<std::size_t>(lag * kIntervalBins + (interval + 20))] += 1;
    }
  }
  return h;
}

double cosine_similarity(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) throw std::invalid_argument("cosine similarity of vectors of different sizes");
  double dot = 0, na = 0, nb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na == 0 || nb == 0) return 0;
  return dot / std::sqrt(na * nb);
}

std::vector<ChunkSimilarity> continuation_style_similarity(const music::Score& continuation,
                                                           const music::Score& source, music::Tick prompt_end,
                                                           int chunks) {
  if (chunks < 1) throw std::invalid_argument("need at least one chunk");
  const auto src_tp = time_pitch_profile(source);
  const auto src_od = onset_duration_profile(source);
  // The continuation ends where its last note after the prompt ends.
  music::Tick end = prompt_end + 1;
  for (const auto& t : continuation.tracks)
    for (const auto& n : t.notes)
      if (n.start >= prompt_end) end = std::max(end, n.end);
  const music::Tick span = end - prompt_end;
  std::vector<ChunkSimilarity> out;
  for (int c = 0; c < chunks; ++c) {
    ChunkSimilarity s;
    s.from = prompt_end + span * c / chunks;
    s.to = prompt_end + span * (c + 1) / chunks;
    StyleWindow w{s.from, s.to, false};
    const auto od = onset_duration_profile(continuation, w);
    for (double v : od) s.notes += static_cast<std::size_t>(v);
    s.onset_duration = cosine_similarity(od, src_od);
    s.time_pitch = cosine_similarity(time_pitch_profile(continuation, w), src_tp);
    out.push_back(s);
  }
  return out;
}

}  // namespace spe::train
