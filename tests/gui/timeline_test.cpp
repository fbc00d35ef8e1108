#include <catch2/catch.hpp>

#include "timeline.hpp"

using spe::music::Score;
using spe::music::Tick;
using namespace spe::ui;

TEST_CASE("grid lines of 4/4 without time signatures gives 4 beats per bar", "[gui]") {
  Score score;  // 480 ticks per beat, no time signature = 4/4
  const auto lines = grid_lines(score, 0, 2 * 1920);
  REQUIRE(lines.size() == 8);
  CHECK(lines[0].tick == 0);
  CHECK(lines[0].is_bar());
  CHECK(lines[3].tick == 3 * 480);
  CHECK(lines[3].beat == 3);
  CHECK(lines[4].tick == 1920);
  CHECK(lines[4].bar == 1);
  CHECK(lines[4].is_bar());
}

TEST_CASE("grid lines follow time-signature changes and start from the visible bar", "[gui]") {
  Score score;
  score.time_signatures = {{0, 4, 4}, {2 * 1920, 3, 4}, {2 * 1920 + 3 * 1440, 6, 8}};
  // Bars 0,1 in 4/4; bars 2,3,4 in 3/4 (1440 ticks); from 10080 on 6/8 (1440 ticks, 6 eighth beats).
  CHECK(bar_start_tick(score, 2) == 3840);
  CHECK(bar_start_tick(score, 3) == 3840 + 1440);
  CHECK(bar_start_tick(score, 5) == 3840 + 3 * 1440);
  CHECK(bar_start_tick(score, 6) == 3840 + 4 * 1440);
  CHECK(bar_at_tick(score, 3839) == 1);
  CHECK(bar_at_tick(score, 3840) == 2);
  CHECK(bar_at_tick(score, 3840 + 3 * 1440 + 239) == 5);

  const auto lines = grid_lines(score, 3840, 3840 + 1440);
  REQUIRE(lines.size() == 3);  // one 3/4 bar: bar line + 2 beats
  CHECK(lines[1].tick == 3840 + 480);

  const auto eighths = grid_lines(score, 3840 + 3 * 1440, 3840 + 4 * 1440);
  REQUIRE(eighths.size() == 6);
  CHECK(eighths[1].tick - eighths[0].tick == 240);
  CHECK(eighths[0].bar == 5);

  // A window starting mid-bar lists only the lines inside it.
  const auto mid = grid_lines(score, 500, 1920);
  REQUIRE(mid.size() == 2);
  CHECK(mid[0].tick == 960);
}

TEST_CASE("a time signature in the middle of a bar starts a new bar there", "[gui]") {
  Score score;
  score.time_signatures = {{0, 4, 4}, {1920 + 960, 2, 4}};
  CHECK(bar_at_tick(score, 1920 + 959) == 1);
  CHECK(bar_at_tick(score, 1920 + 960) == 2);
  CHECK(bar_start_tick(score, 2) == 2880);
}

TEST_CASE("malformed time signatures do not divide by zero", "[gui]") {
  Score score;
  score.time_signatures = {{0, 0, 0}};
  const auto lines = grid_lines(score, 0, 4000);
  CHECK_FALSE(lines.empty());
  CHECK(bar_count(score) == 0);
}

TEST_CASE("bar count covers the last note and no more", "[gui]") {
  Score score;
  score.tracks.push_back({});
  score.tracks[0].notes.push_back({0, 1920, 60, 80});
  CHECK(bar_count(score) == 1);
  score.tracks[0].notes.push_back({1920, 1921, 62, 80});
  CHECK(bar_count(score) == 2);
}

TEST_CASE("tick to seconds integrates the tempo map", "[gui]") {
  Score score;
  CHECK(tick_to_seconds(score, 960) == Approx(1.0));  // 2 beats at 120 BPM
  score.tempos = {{0, 60.0}, {480, 120.0}};
  CHECK(tick_to_seconds(score, 480) == Approx(1.0));
  CHECK(tick_to_seconds(score, 960) == Approx(1.5));
}

TEST_CASE("pitch names and time formatting", "[gui]") {
  CHECK(pitch_name(60) == "C4");
  CHECK(pitch_name(42) == "F#2");
  CHECK(pitch_name(0) == "C-1");
  CHECK(pitch_name(127) == "G9");
  CHECK(format_seconds(83.456) == "1:23.46");
  CHECK(format_seconds(0) == "0:00.00");
}
