// schedule_events: times through the tempo map (checked against a hand computation), the order rule at
// equal times, channels and program changes, overlapping notes.
#include <catch2/catch.hpp>

#include "playback/schedule.hpp"

using namespace spe;
using playback::MidiEvent;

namespace {

music::Track piano(std::vector<music::Note> notes, int program = 0, int channel = 0) {
  music::Track t;
  t.name = "piano";
  t.program = program;
  t.channel = channel;
  t.notes = std::move(notes);
  return t;
}

std::vector<MidiEvent> of_kind(const std::vector<MidiEvent>& events, int kind) {
  std::vector<MidiEvent> out;
  for (const auto& e : events)
    if (e.kind() == kind) out.push_back(e);
  return out;
}

}  // namespace

TEST_CASE("note times follow the tempo map, tempo change included") {
  // 480 ticks per beat; 120 BPM (0.5 s per beat) until tick 960, then 60 BPM (1 s per beat).
  music::Score score;
  score.tempos = {{0, 120.0}, {960, 60.0}};
  score.tracks.push_back(piano({{0, 480, 60, 80}, {480, 960, 62, 80}, {960, 1440, 64, 80}, {1440, 2400, 65, 80}}));
  // Independently: tick t < 960 → t / 480 × 0.5 s; t ≥ 960 → 1 s + (t − 960) / 480 × 1 s.
  auto seconds = [](double t) { return t < 960 ? t / 480 * 0.5 : 1.0 + (t - 960) / 480; };
  const auto events = playback::schedule_events(score);
  const auto ons = of_kind(events, 0x90);
  const auto offs = of_kind(events, 0x80);
  REQUIRE(ons.size() == 4);
  REQUIRE(offs.size() == 4);
  const std::vector<std::pair<int, int>> ticks{{0, 480}, {480, 960}, {960, 1440}, {1440, 2400}};
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(ons[i].seconds == Approx(seconds(ticks[i].first)).margin(1e-12));
    CHECK(offs[i].seconds == Approx(seconds(ticks[i].second)).margin(1e-12));
    CHECK(ons[i].data2 == 80);
  }
  CHECK(ons[3].seconds == Approx(2.0));
  CHECK(offs[3].seconds == Approx(4.0));
  CHECK(playback::score_duration_seconds(score) == Approx(4.0));
}

TEST_CASE("events are sorted by time, program changes then note-offs before note-ons at equal times") {
  music::Score score;
  // A repeated pitch: the first note's off and the second's on fall on the same tick.
  score.tracks.push_back(piano({{0, 480, 60, 90}, {480, 960, 60, 90}, {480, 960, 67, 70}}, 5, 0));
  const auto events = playback::schedule_events(score);
  REQUIRE(events.size() == 1 + 6);
  CHECK(events[0] == MidiEvent{0.0, 0xC0, 5, 0});
  CHECK(events[1].kind() == 0x90);
  for (std::size_t i = 1; i < events.size(); ++i) CHECK(events[i - 1].seconds <= events[i].seconds);
  // At 0.5 s: the off of pitch 60 comes before both ons.
  CHECK(events[2] == MidiEvent{0.5, 0x80, 60, 0});
  CHECK(events[3] == MidiEvent{0.5, 0x90, 60, 90});
  CHECK(events[4] == MidiEvent{0.5, 0x90, 67, 70});
  for (std::size_t i = 1; i < events.size(); ++i)
    if (events[i - 1].seconds == events[i].seconds) CHECK(!(events[i - 1].kind() == 0x90 && events[i].kind() == 0x80));
}

TEST_CASE("drums play on channel 9 without a program change, clashing programs get their own channel") {
  music::Score score;
  music::Track drums;
  drums.is_drum = true;
  drums.channel = 3;  // ignored: drums are channel 9
  drums.program = 0;
  drums.notes = {{0, 120, 36, 100}};
  score.tracks.push_back(piano({{0, 480, 60, 80}}, 0, 0));
  score.tracks.push_back(piano({{0, 480, 40, 80}}, 33, 0));  // bass on the piano's channel
  score.tracks.push_back(drums);
  const auto events = playback::schedule_events(score);
  const auto programs = of_kind(events, 0xC0);
  REQUIRE(programs.size() == 2);
  CHECK(programs[0] == MidiEvent{0.0, 0xC0, 0, 0});
  CHECK(programs[1] == MidiEvent{0.0, 0xC1, 33, 0});
  bool kick = false;
  for (const auto& e : of_kind(events, 0x90)) {
    if (e.data1 == 36) kick = e.channel() == 9;
    if (e.data1 == 40) CHECK(e.channel() == 1);
    if (e.data1 == 60) CHECK(e.channel() == 0);
  }
  CHECK(kick);
}

TEST_CASE("overlapping notes of one pitch: only the last note-off is sent") {
  music::Score score;
  score.tracks.push_back(piano({{0, 960, 60, 80}, {480, 720, 60, 80}}));
  const auto events = playback::schedule_events(score);
  const auto offs = of_kind(events, 0x80);
  REQUIRE(offs.size() == 1);
  CHECK(offs[0].seconds == Approx(1.0));
  CHECK(of_kind(events, 0x90).size() == 2);
}

TEST_CASE("all-notes-off is CC123, CC120 and sustain off on every channel") {
  const auto events = playback::all_notes_off_events();
  REQUIRE(events.size() == 48);
  for (int ch = 0; ch < 16; ++ch) {
    CHECK(events[3 * ch] == MidiEvent{0.0, static_cast<std::uint8_t>(0xB0 | ch), 123, 0});
    CHECK(events[3 * ch + 1] == MidiEvent{0.0, static_cast<std::uint8_t>(0xB0 | ch), 120, 0});
    CHECK(events[3 * ch + 2] == MidiEvent{0.0, static_cast<std::uint8_t>(0xB0 | ch), 64, 0});
  }
}
