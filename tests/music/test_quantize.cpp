#include <catch2/catch.hpp>

#include "music/quantize.hpp"
#include "music/score_midi.hpp"
#include "test_paths.hpp"
#include "midi/midi_files.hpp"

using namespace spe::music;

namespace {
Score one_track(std::vector<Note> notes, int tpb = 480) {
  Score s;
  s.ticks_per_beat = tpb;
  s.tracks.push_back(Track{});
  s.tracks[0].notes = std::move(notes);
  return s;
}
}  // namespace

TEST_CASE("grid_ticks gives whole-tick grid steps or refuses") {
  CHECK(grid_ticks(480, 4) == 120);
  CHECK(grid_ticks(480, 12) == 40);
  CHECK_THROWS_AS(grid_ticks(100, 12), std::invalid_argument);
}

TEST_CASE("snap_to_grid rounds onsets and ends to the nearest step and keeps notes non-empty") {
  const Score s = one_track({{59, 181, 60, 80}, {61, 100, 62, 80}, {300, 310, 64, 80}, {0, 30, 65, 80}});
  const Score q = snap_to_grid(s, 120);
  const auto& n = q.tracks[0].notes;
  REQUIRE(n.size() == 4);
  CHECK((n[0].start == 0 && n[0].end == 240 && n[0].pitch == 60));  // 59 → 0, 181 → 240
  CHECK((n[1].start == 0 && n[1].end == 120 && n[1].pitch == 65));  // end 30 → 0 → one step
  CHECK((n[2].start == 120 && n[2].end == 240 && n[2].pitch == 62)); // 61 → 120 (half rounds up at 60)
  CHECK((n[3].start == 360 && n[3].end == 360 + 120));               // 300 → 360 (halfway up), 310 → 360 → +step
  SnapOptions keep;
  keep.snap_ends = false;
  const Score k = snap_to_grid(s, 120, keep);
  CHECK(k.tracks[0].notes[0].end - k.tracks[0].notes[0].start == 122);
}

TEST_CASE("resample scales every time and never produces zero-length notes") {
  Score s = one_track({{0, 1, 60, 80}, {480, 960, 62, 80}, {490, 500, 64, 80}});
  s.tempos = {{0, 100.0}, {1440, 90.0}};
  s.time_signatures = {{960, 3, 4}};
  s.markers = {{240, "x"}};
  const Score r = resample(s, 12);
  CHECK(r.ticks_per_beat == 12);
  const auto& n = r.tracks[0].notes;
  CHECK((n[0].start == 0 && n[0].end == 1));   // 1/40 tick rounds to 0 → one tick long
  CHECK((n[1].start == 12 && n[1].end == 24));
  CHECK((n[2].start == 12 && n[2].end == 13)); // 490 → 12.25 → 12; 500 → 12.5 → 13
  CHECK(r.tempos[1].tick == 36);
  CHECK(r.time_signatures[0].tick == 24);
  CHECK(r.markers[0].tick == 6);
  const Score back = resample(r, 480);
  CHECK(back.tracks[0].notes[1].start == 480);
}

TEST_CASE("resampling the corpora to 12 ticks per beat keeps every note within half a tick", "[integration]") {
  for (const char* corpus : {"pop909", "groove_mma"}) {
    auto dir = spe::test::shared_data(corpus);
    if (!dir) continue;
    const auto files = spe::midi::list_midi_files(*dir);
    std::size_t checked = 0, notes = 0;
    for (std::size_t i = 0; i < files.size(); i += 25) {
      const Score s = read_score(files[i]);
      const Score r = resample(s, 12);
      const double f = 12.0 / s.ticks_per_beat;
      for (std::size_t t = 0; t < s.tracks.size(); ++t) {
        // Sorting may reorder notes that land on one tick, so compare sorted onset lists.
        std::vector<double> a, b;
        for (const auto& n : s.tracks[t].notes) a.push_back(n.start * f);
        for (const auto& n : r.tracks[t].notes) {
          b.push_back(double(n.start));
          REQUIRE(n.end > n.start);
        }
        std::sort(a.begin(), a.end());
        REQUIRE(a.size() == b.size());
        for (std::size_t k = 0; k < a.size(); ++k) REQUIRE(std::abs(a[k] - b[k]) <= 0.5);
        notes += a.size();
      }
      ++checked;
    }
    WARN(corpus << ": resampled " << checked << " files, " << notes << " notes");
    CHECK(checked > 0);
  }
}
