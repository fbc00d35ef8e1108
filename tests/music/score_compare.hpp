#pragma once
// Exact comparison of two Scores for round-trip tests: the first difference, in words, or "".

#include <cmath>
#include <sstream>
#include <string>

#include "music/score.hpp"

namespace spe::test {

inline std::string score_difference(const music::Score& a, const music::Score& b) {
  std::ostringstream d;
  if (a.ticks_per_beat != b.ticks_per_beat) return "ticks_per_beat differs";
  if (a.tracks.size() != b.tracks.size()) {
    d << "track count " << a.tracks.size() << " vs " << b.tracks.size();
    return d.str();
  }
  for (std::size_t t = 0; t < a.tracks.size(); ++t) {
    const auto &x = a.tracks[t], &y = b.tracks[t];
    if (x.name != y.name || x.program != y.program || x.channel != y.channel || x.is_drum != y.is_drum) {
      d << "track " << t << " header differs";
      return d.str();
    }
    if (x.notes.size() != y.notes.size()) {
      d << "track " << t << " note count " << x.notes.size() << " vs " << y.notes.size();
      return d.str();
    }
    for (std::size_t i = 0; i < x.notes.size(); ++i) {
      const auto &m = x.notes[i], &n = y.notes[i];
      if (m.start != n.start || m.end != n.end || m.pitch != n.pitch || m.velocity != n.velocity) {
        d << "track " << t << " note " << i << ": [" << m.start << "," << m.end << ") p" << m.pitch << " v"
          << m.velocity << " vs [" << n.start << "," << n.end << ") p" << n.pitch << " v" << n.velocity;
        return d.str();
      }
    }
  }
  if (a.tempos.size() != b.tempos.size()) return "tempo count differs";
  for (std::size_t i = 0; i < a.tempos.size(); ++i)
    if (a.tempos[i].tick != b.tempos[i].tick || std::abs(a.tempos[i].bpm - b.tempos[i].bpm) > 1e-9 * a.tempos[i].bpm)
      return "tempo " + std::to_string(i) + " differs";
  if (a.time_signatures.size() != b.time_signatures.size()) return "time signature count differs";
  for (std::size_t i = 0; i < a.time_signatures.size(); ++i) {
    const auto &x = a.time_signatures[i], &y = b.time_signatures[i];
    if (x.tick != y.tick || x.numerator != y.numerator || x.denominator != y.denominator)
      return "time signature " + std::to_string(i) + " differs";
  }
  if (a.key_signatures.size() != b.key_signatures.size()) return "key signature count differs";
  for (std::size_t i = 0; i < a.key_signatures.size(); ++i) {
    const auto &x = a.key_signatures[i], &y = b.key_signatures[i];
    if (x.tick != y.tick || x.sharps != y.sharps || x.minor != y.minor) return "key signature " + std::to_string(i) + " differs";
  }
  if (a.markers.size() != b.markers.size()) return "marker count differs";
  for (std::size_t i = 0; i < a.markers.size(); ++i)
    if (a.markers[i].tick != b.markers[i].tick || a.markers[i].text != b.markers[i].text)
      return "marker " + std::to_string(i) + " differs";
  if (a.chords.size() != b.chords.size()) return "chord count differs";
  for (std::size_t i = 0; i < a.chords.size(); ++i) {
    const auto &x = a.chords[i], &y = b.chords[i];
    if (x.tick != y.tick || x.root != y.root || x.quality != y.quality || x.bass != y.bass)
      return "chord " + std::to_string(i) + " differs";
  }
  return "";
}

}  // namespace spe::test
