#include <catch2/catch.hpp>
#include <fstream>
#include <random>

#include "music/score_midi.hpp"
#include "music/tempo_map.hpp"
#include "test_paths.hpp"

using namespace spe::music;

TEST_CASE("default tempo map is 120 BPM, 4/4") {
  const TempoMap map(480, {}, {});
  CHECK(map.seconds_at(480) == Approx(0.5));
  CHECK(map.seconds_at(0) == 0.0);
  CHECK(map.tick_at_seconds(3.0) == 2880);
  CHECK(map.bpm_at(100000) == Approx(120.0));
  CHECK(map.bar_start(3) == 3 * 1920);
  CHECK(map.bar_index(1919) == 0);
  CHECK(map.bar_index(1920) == 1);
  CHECK(map.beats_at(720) == Approx(1.5));
  CHECK(map.tick_at_beats(2.25) == 1080);
}

TEST_CASE("tempo changes are integrated piecewise") {
  // 120 BPM for two beats (1 s), then 60 BPM (1 s per beat), then 240 BPM from tick 1920.
  const TempoMap map(480, {{0, 120.0}, {960, 60.0}, {1920, 240.0}}, {});
  CHECK(map.seconds_at(960) == Approx(1.0));
  CHECK(map.seconds_at(1440) == Approx(2.0));
  CHECK(map.seconds_at(1920) == Approx(3.0));
  CHECK(map.seconds_at(2400) == Approx(3.25));
  CHECK(map.bpm_at(959) == Approx(120.0));
  CHECK(map.bpm_at(960) == Approx(60.0));
  CHECK(map.ticks_at_seconds(2.5) == Approx(1680.0));
  CHECK(map.tick_at_seconds(3.25) == 2400);
  std::mt19937 rng(7);
  std::uniform_int_distribution<Tick> tick(0, 100000);
  for (int i = 0; i < 1000; ++i) {
    const Tick t = tick(rng);
    CHECK(map.tick_at_seconds(map.seconds_at(t)) == t);
  }
}

TEST_CASE("time signature changes set bar lengths and a change mid-bar starts a new bar") {
  // 4/4 for two bars, 3/4 from 3840, then 6/8 at 3840 + 1440 + 480 (mid-bar of 3/4).
  const TempoMap map(480, {}, {{0, 4, 4}, {3840, 3, 4}, {5760, 6, 8}});
  CHECK(map.bar_start(2) == 3840);
  CHECK(map.bar_start(3) == 5280);
  CHECK(map.bar_index(5279) == 2);
  CHECK(map.bar_index(5280) == 3);
  CHECK(map.bar_index(5759) == 3);  // the cut-short 3/4 bar
  CHECK(map.bar_length_at(5500) == 480);
  CHECK(map.bar_index(5760) == 4);
  CHECK(map.bar_start(4) == 5760);
  CHECK(map.bar_start(5) == 5760 + 1440);
  CHECK(map.bar_length_at(6000) == 1440);
  CHECK(map.time_signature_at(6000).denominator == 8);
  CHECK(map.bars_at(3840 + 720) == Approx(2.5));
  const auto starts = map.bar_starts(8640);
  CHECK(starts == std::vector<Tick>{0, 1920, 3840, 5280, 5760, 7200});
  for (std::int64_t i = 0; i < 10; ++i) CHECK(map.bar_index(map.bar_start(i)) == i);
}

TEST_CASE("tempo map agrees with POP909's beat annotations", "[integration]") {
  // beat_midi.txt lists each beat's time in seconds; the MIDI files put beats on multiples of
  // ticks_per_beat, so the n-th annotated beat must sit at a whole number of beats after the first.
  auto dir = spe::test::shared_data("pop909");
  if (!dir) return;
  int songs = 0;
  for (const char* id : {"001", "002", "010", "100", "500"}) {
    const auto song = *dir / "POP909" / id;
    const Score score = read_score(song / (std::string(id) + ".mid"));
    const TempoMap map(score);
    std::ifstream beats(song / "beat_midi.txt");
    REQUIRE(beats);
    double t, a, b;
    std::vector<double> positions;
    while (beats >> t >> a >> b) positions.push_back(map.ticks_at_seconds(t) / score.ticks_per_beat);
    REQUIRE(positions.size() > 50);
    for (std::size_t i = 1; i < positions.size(); ++i) CHECK(positions[i] - positions[0] == Approx(double(i)).margin(0.02));
    ++songs;
  }
  CHECK(songs == 5);
}
