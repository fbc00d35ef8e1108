#include <catch2/catch.hpp>

#include "train/style_similarity.hpp"

using namespace spe::train;
using spe::music::Note;
using spe::music::Score;
using spe::music::Track;

namespace {
Score score_with(std::vector<Note> notes, bool drum = false, int tpb = 12) {
  Score s;
  s.ticks_per_beat = tpb;
  Track t;
  t.is_drum = drum;
  t.notes = std::move(notes);
  s.tracks.push_back(t);
  return s;
}
Note note(int start, int end, int pitch) { return Note{start, end, pitch, 64, false}; }
double at(const std::vector<double>& h, int row, int cols, int col) {
  return h[static_cast<std::size_t>(row * cols + col)];
}
}  // namespace

TEST_CASE("onset-duration profile bins onset within the bar and duration in sixths of a beat") {
  // tpb 12: a sixth of a beat = 2 ticks. Note 1: start 0, 1 beat → (0, 6). Note 2: start 4.5 beats
  // (bar 2, beat 0.5 → bin 3), half a beat → duration bin 3. Note 3: duration 2 beats → out of range.
  auto s = score_with({note(0, 12, 60), note(54, 60, 62), note(12, 36, 64)});
  auto h = onset_duration_profile(s);
  REQUIRE(h.size() == 24 * 12);
  CHECK(at(h, 0, 12, 6) == 1);
  CHECK(at(h, 3, 12, 3) == 1);
  double total = 0;
  for (double v : h) total += v;
  CHECK(total == 2);
}

TEST_CASE("time-pitch profile counts ordered pairs by lag and interval") {
  // C at 0, E at 0 (simultaneous), G one beat later; tpb 12.
  auto s = score_with({note(0, 6, 60), note(0, 6, 64), note(12, 18, 67), note(60, 66, 90)});
  auto h = time_pitch_profile(s);
  REQUIRE(h.size() == 24 * 41);
  CHECK(at(h, 0, 41, 20 + 4) == 1);   // C→E at lag 0
  CHECK(at(h, 0, 41, 20 - 4) == 1);   // E→C at lag 0 (both orders of simultaneous notes)
  CHECK(at(h, 6, 41, 20 + 7) == 1);   // C→G, lag 1 beat = bin 6
  CHECK(at(h, 6, 41, 20 + 3) == 1);   // E→G
  // the high note at beat 5: lag 4+ from C/E (out), lag 4 from G (out), interval > 20 anyway
  double total = 0;
  for (double v : h) total += v;
  CHECK(total == 4);
}

TEST_CASE("drums are ignored unless asked for, and windows select by onset") {
  auto drums = score_with({note(0, 1, 36), note(6, 7, 38)}, true);
  double total = 0;
  for (double v : onset_duration_profile(drums)) total += v;
  CHECK(total == 0);
  total = 0;
  for (double v : onset_duration_profile(drums, {0, 100, true})) total += v;
  CHECK(total == 2);
  total = 0;
  for (double v : onset_duration_profile(drums, {5, 100, true})) total += v;
  CHECK(total == 1);
}

TEST_CASE("cosine similarity: identical style 1, disjoint 0, scale-free") {
  CHECK(cosine_similarity({1, 2, 0}, {2, 4, 0}) == Approx(1));
  CHECK(cosine_similarity({1, 0}, {0, 3}) == 0);
  CHECK(cosine_similarity({0, 0}, {1, 1}) == 0);
  CHECK(cosine_similarity({1, 1}, {1, 0}) == Approx(std::sqrt(0.5)));
  CHECK_THROWS(cosine_similarity({1}, {1, 2}));
}

TEST_CASE("a continuation that repeats its source scores 1 in every chunk and a drifting one decays") {
  // Source: a one-bar pattern (tpb 12) repeated 10 bars: after a 2-bar prompt, 4 chunks of 2 bars.
  std::vector<Note> pattern;
  for (int bar = 0; bar < 10; ++bar)
    for (auto [b, p] : std::vector<std::pair<int, int>>{{0, 48}, {12, 55}, {24, 52}, {36, 55}})
      pattern.push_back(note(bar * 48 + b, bar * 48 + b + 12, p));
  Score source = score_with(pattern);
  auto same = continuation_style_similarity(source, source, 96, 4);
  REQUIRE(same.size() == 4);
  for (const auto& c : same) {
    CHECK(c.onset_duration == Approx(1.0));
    CHECK(c.time_pitch > 0.9);  // window edges cut a few pairs short
  }
  // Drift: the first chunk copies the source; the last moves off the beat, shortens, and plays other intervals.
  std::vector<Note> drift(pattern.begin(), pattern.begin() + 16);
  for (int k = 16; k < 40; ++k) {
    const int start = k * 12 + (k >= 32 ? 3 : 0);
    drift.push_back(note(start, start + (k >= 32 ? 2 : 12), k >= 32 ? 48 + (k * 5) % 24 : pattern[static_cast<std::size_t>(k)].pitch));
  }
  auto d = continuation_style_similarity(score_with(drift), source, 96, 4);
  CHECK(d[0].onset_duration == Approx(1.0));
  CHECK(d[3].onset_duration == 0);  // every onset and duration off the source's grid
  CHECK(d[0].time_pitch > 0.9);
  CHECK(d[3].time_pitch < 0.5);
}
