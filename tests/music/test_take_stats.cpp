// take_stats against counts made independently of it: a hand-built MIDI file whose every figure is worked
// out below by hand, and a real POP909 prompt counted from the raw MIDI events (not from the Score).
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <set>
#include <tuple>

#include "midi/smf.hpp"
#include "music/score_midi.hpp"
#include "music/take_stats.hpp"
#include "test_paths.hpp"

using namespace spe::music;
namespace midi = spe::midi;

namespace {

midi::Event channel_event(std::uint64_t tick, std::uint8_t status, int d1, int d2) {
  midi::Event e;
  e.tick = tick;
  e.kind = midi::EventKind::Channel;
  e.status = status;
  e.data1 = static_cast<std::uint8_t>(d1);
  e.data2 = static_cast<std::uint8_t>(d2);
  return e;
}

midi::Event meta_event(std::uint64_t tick, std::uint8_t type, std::vector<std::uint8_t> payload) {
  midi::Event e;
  e.tick = tick;
  e.kind = midi::EventKind::Meta;
  e.status = 0xFF;
  e.meta_type = type;
  e.payload = std::move(payload);
  return e;
}

midi::Event tempo(std::uint64_t tick, double bpm) {
  const auto us = static_cast<std::uint32_t>(std::lround(60e6 / bpm));
  return meta_event(tick, midi::meta::kTempo,
                    {static_cast<std::uint8_t>(us >> 16), static_cast<std::uint8_t>(us >> 8), static_cast<std::uint8_t>(us)});
}

midi::Event time_signature(std::uint64_t tick, int numerator, int log2_denominator) {
  return meta_event(tick, midi::meta::kTimeSignature,
                    {static_cast<std::uint8_t>(numerator), static_cast<std::uint8_t>(log2_denominator), 24, 8});
}

struct N {
  std::uint64_t on, off;
  int pitch;
};

midi::Track note_track(int channel, std::vector<N> notes) {
  std::vector<midi::Event> events;
  for (const auto& n : notes) {
    events.push_back(channel_event(n.on, static_cast<std::uint8_t>(0x90 | channel), n.pitch, 100));
    events.push_back(channel_event(n.off, static_cast<std::uint8_t>(0x80 | channel), n.pitch, 0));
  }
  // Note-offs before note-ons on equal ticks.
  std::stable_sort(events.begin(), events.end(), [](const midi::Event& a, const midi::Event& b) {
    return std::make_tuple(a.tick, a.type() == 0x90) < std::make_tuple(b.tick, b.type() == 0x90);
  });
  events.push_back(meta_event(events.back().tick, midi::meta::kEndOfTrack, {}));
  return midi::Track{events};
}

// The fixture, 480 ticks per beat.
// Metre: 4/4 for bars 0–3 (bar starts 0, 1920, 3840, 5760), 3/4 from tick 7680: bars 4–8 start at
// 7680, 9120, 10560, 12000, 13440. Tempo: 120 BPM, 60 BPM from 3840, 150 BPM from 9120 (moves no bar).
// Piano (channel 1):                       Drums (channel 10):
//   bar 0: C4 [0,960) E4 [0,960)             bar 0: closed hi-hat 42 [0,120)
//          G4 [480,1440) C3 [960,2400)       bar 3: kick 36 [5760,5880), snare 38 [6240,6360)
//   bar 1: no onset (C3 still sounds until 2400)
//   bar 2: D4 [3840,4320) D5 [3840,4320) F4 [4320,5760)
//   bar 3: drums only
//   bar 4: C4 [7680,8160) C5 [7680,8160)
//   bar 5: E4 [9120,9600)
//   bar 6: nothing
//   bar 7: A4 [12000,12480) B4 [12480,13500)   → B4 sounds into bar 8 (13440..13499): the take has 9 bars
Score fixture() {
  midi::File file;
  file.format = 1;
  file.ticks_per_beat = 480;
  midi::Track conductor;
  conductor.events = {time_signature(0, 4, 2), tempo(0, 120), tempo(3840, 60), time_signature(7680, 3, 2),
                      tempo(9120, 150), meta_event(9120, midi::meta::kEndOfTrack, {})};
  file.tracks.push_back(conductor);
  file.tracks.push_back(note_track(0, {{0, 960, 60}, {0, 960, 64}, {480, 1440, 67}, {960, 2400, 48},
                                       {3840, 4320, 62}, {3840, 4320, 74}, {4320, 5760, 65},
                                       {7680, 8160, 60}, {7680, 8160, 72}, {9120, 9600, 64},
                                       {12000, 12480, 69}, {12480, 13500, 71}}));
  file.tracks.push_back(note_track(9, {{0, 120, 42}, {5760, 5880, 36}, {6240, 6360, 38}}));
  // Through the bytes, as a file on disk would be.
  const auto bytes = midi::serialize(file);
  return score_from_midi(midi::parse(bytes, "fixture.mid"));
}

double entropy(std::vector<int> counts) {
  double total = 0, h = 0;
  for (int c : counts) total += c;
  for (int c : counts) h -= c / total * std::log2(c / total);
  return h;
}

void check_range(const BarRangeStats& s, int first_bar, int bars, int notes, double empty, double entropy_bits,
                 double polyphony, int low, int high) {
  CHECK(s.first_bar == first_bar);
  CHECK(s.bars == bars);
  CHECK(s.notes == notes);
  CHECK(s.notes_per_bar == Approx(bars ? static_cast<double>(notes) / bars : 0.0));
  CHECK(s.empty_bar_fraction == Approx(empty));
  CHECK(s.pitch_class_entropy_bits == Approx(entropy_bits).margin(1e-12));
  CHECK(s.mean_polyphony == Approx(polyphony));
  CHECK(s.pitch_min == low);
  CHECK(s.pitch_max == high);
}

}  // namespace

TEST_CASE("take_stats on a hand-built take: prompt, continuation and quarters") {
  const Score score = fixture();
  REQUIRE(score.tracks.size() == 2);
  REQUIRE(score.tempos.size() == 3);
  CHECK(take_bars(score) == 9);

  const TakeStats t = take_stats(score, 3);
  CHECK(t.from_bar == 3);
  CHECK(t.total_bars == 9);
  // Prompt, bars 0–2: onsets 5 + 0 + 3 (the hi-hat counts), bar 1 empty. Pitch classes of the 7 piano
  // onsets: C C E G D D F. Sounding piano notes: [0,480) 2, [480,960) 3, [960,1440) 2, [1440,2400) 1,
  // [3840,4320) 2, [4320,5760) 1 → (960 + 1440 + 960 + 960 + 960 + 1440) / (2400 + 1920) = 6720 / 4320.
  check_range(t.prompt, 0, 3, 8, 1.0 / 3, entropy({2, 2, 1, 1, 1}), 6720.0 / 4320, 48, 74);
  // Continuation, bars 3–8: onsets 2 (drums) + 2 + 1 + 0 + 2 + 0; bars 6 and 8 empty. Classes C C E A B.
  // Sounding: 2 notes for 480, 1 for 480, 1 for 1500 → (960 + 480 + 1500) / (480 + 480 + 1500).
  check_range(t.continuation, 3, 6, 7, 2.0 / 6, entropy({2, 1, 1, 1}), 2940.0 / 2460, 60, 72);
  // Six bars in quarters: ⌊q·6/4⌋ = 0, 1, 3, 4, 6 → bar 3 | bars 4–5 | bar 6 | bars 7–8.
  check_range(t.quarters[0], 3, 1, 2, 0.0, 0.0, 0.0, -1, -1);  // drums only: no pitch figures
  check_range(t.quarters[1], 4, 2, 3, 0.0, entropy({2, 1}), 1440.0 / 960, 60, 72);
  check_range(t.quarters[2], 6, 1, 0, 1.0, 0.0, 0.0, -1, -1);
  check_range(t.quarters[3], 7, 2, 2, 0.5, 1.0, 1.0, 69, 71);
  REQUIRE(t.last_vs_first_quarter_density.has_value());
  CHECK(*t.last_vs_first_quarter_density == Approx(1.0 / 2.0));
}

TEST_CASE("take_stats: a note held across a range border sounds on both sides but belongs to its onset bar") {
  const Score score = fixture();
  // Bar 0 alone: C4 E4 G4 C3 (C3 clipped to [960,1920)) → (960·3 + 960) / 1920 = 2.
  check_range(bar_range_stats(score, 0, 1), 0, 1, 5, 0.0, entropy({2, 1, 1}), 2.0, 48, 67);
  // Bar 1: no onset, yet C3 sounds for [1920,2400).
  check_range(bar_range_stats(score, 1, 2), 1, 1, 0, 1.0, 0.0, 1.0, -1, -1);
  // Bar 8: B4's tail only.
  check_range(bar_range_stats(score, 8, 9), 8, 1, 0, 1.0, 0.0, 1.0, -1, -1);
}

TEST_CASE("take_stats edge cases: no prompt, a prompt longer than the take, fewer than four bars") {
  const Score score = fixture();
  const TakeStats whole = take_stats(score, 0);
  check_range(whole.prompt, 0, 0, 0, 0.0, 0.0, 0.0, -1, -1);
  CHECK(whole.continuation.bars == 9);
  CHECK(whole.continuation.notes == 15);
  CHECK(whole.continuation.empty_bar_fraction == Approx(3.0 / 9));  // bars 1, 6, 8
  CHECK(whole.continuation.pitch_class_entropy_bits == Approx(entropy({4, 2, 2, 1, 1, 1, 1})));  // C D E F G A B
  // ⌊q·9/4⌋ = 0, 2, 4, 6, 9.
  CHECK(whole.quarters[0].bars == 2);
  CHECK(whole.quarters[1].bars == 2);
  CHECK(whole.quarters[2].bars == 2);
  CHECK(whole.quarters[3].bars == 3);

  const TakeStats beyond = take_stats(score, 12);
  CHECK(beyond.prompt.bars == 12);
  CHECK(beyond.prompt.notes == 15);
  CHECK(beyond.prompt.empty_bar_fraction == Approx(6.0 / 12));
  CHECK(beyond.continuation.bars == 0);
  for (const auto& q : beyond.quarters) check_range(q, 12, 0, 0, 0.0, 0.0, 0.0, -1, -1);
  CHECK_FALSE(beyond.last_vs_first_quarter_density.has_value());

  const TakeStats two = take_stats(score, 7);  // ⌊q·2/4⌋ = 0, 0, 1, 1, 2
  CHECK(two.quarters[0].bars == 0);
  CHECK(two.quarters[1].bars == 1);
  CHECK(two.quarters[2].bars == 0);
  CHECK(two.quarters[3].bars == 1);
  CHECK(two.quarters[3].first_bar == 8);
  CHECK_FALSE(two.last_vs_first_quarter_density.has_value());  // empty first quarter

  const TakeStats empty = take_stats(Score{}, 4);
  CHECK(empty.total_bars == 0);
  CHECK(empty.prompt.bars == 4);
  CHECK(empty.prompt.empty_bar_fraction == 1.0);
  CHECK(empty.continuation.bars == 0);
}

TEST_CASE("take_stats mean over takes and JSON") {
  const Score score = fixture();
  const TakeStats a = take_stats(score, 3), b = take_stats(score, 12);
  const TakeStatsMean m = mean_over({a, b});
  CHECK(m.files == 2);
  CHECK(m.prompt.takes == 2);
  CHECK(*m.prompt.bars == Approx(7.5));
  CHECK(*m.prompt.notes == Approx((8 + 15) / 2.0));
  CHECK(*m.prompt.pitch_min == Approx(48));
  CHECK(m.continuation.takes == 1);  // b has no continuation: left out of the mean
  CHECK(*m.continuation.notes_per_bar == Approx(7.0 / 6));
  CHECK(m.quarters[0].takes == 1);
  CHECK(m.quarters[0].pitched_takes == 0);
  CHECK_FALSE(m.quarters[0].pitch_min.has_value());
  CHECK(*m.last_vs_first_quarter_density == Approx(0.5));
  const TakeStatsMean none = mean_over({b});
  CHECK_FALSE(none.continuation.notes.has_value());

  const std::string j = to_json(a);
  CHECK(j.find('\n') == std::string::npos);
  CHECK(j.rfind("{\"from_bar\":3,\"total_bars\":9,\"prompt\":{\"first_bar\":0,\"bars\":3,\"notes\":8,", 0) == 0);
  CHECK(j.find("\"quarters\":[{\"first_bar\":3,\"bars\":1,\"notes\":2,\"notes_per_bar\":2,\"empty_bar_fraction\":0,"
               "\"pitch_class_entropy_bits\":0,\"mean_polyphony\":0,\"pitch_min\":null,\"pitch_max\":null}") !=
        std::string::npos);
  CHECK(j.find("\"last_vs_first_quarter_density\":0.5}") != std::string::npos);
  const std::string jm = to_json(m);
  CHECK(jm.rfind("{\"mean_over_files\":2,\"prompt\":{\"takes\":2,\"pitched_takes\":2,\"bars\":7.5,", 0) == 0);
  CHECK(to_json(none).find("\"continuation\":{\"takes\":0,\"pitched_takes\":0,\"bars\":null,") != std::string::npos);
}

// The POP909 prompt, counted from the raw events: note-on/off pairs per (track, channel, key), first in
// first out, velocity-0 note-ons as offs, unclosed notes ending at the track's end, 0-length notes 1 tick
// (score_midi.hpp's reading policy); bars from the file's time-signature meta events.
TEST_CASE("take_stats on pop909_001.mid equals a count from the raw MIDI events") {
  const auto path = spe::test::source_dir() / "resources" / "prompts" / "pop909_001.mid";
  const midi::File file = midi::read_file(path);
  const std::int64_t ppq = file.ticks_per_beat;
  REQUIRE_FALSE(file.smpte);

  // Metre from the raw time-signature events (last one wins on equal ticks; 4/4 before the first; a
  // change starts a new bar, the cut-short bar before it counting as one), as bar start ticks.
  std::map<std::int64_t, std::int64_t> bar_length_from;  // tick → bar length in ticks
  bar_length_from[0] = 4 * ppq;
  for (const auto& track : file.tracks)
    for (const auto& e : track.events)
      if (e.kind == midi::EventKind::Meta && e.meta_type == midi::meta::kTimeSignature) {
        REQUIRE(e.payload.size() >= 2);
        bar_length_from[static_cast<std::int64_t>(e.tick)] = e.payload[0] * 4 * ppq / (std::int64_t{1} << e.payload[1]);
      }
  std::vector<std::int64_t> bar_starts;
  const std::int64_t horizon = 1 << 24;  // far beyond the file's last tick (checked below)
  for (auto it = bar_length_from.begin(); it != bar_length_from.end(); ++it) {
    const std::int64_t until = std::next(it) == bar_length_from.end() ? horizon : std::next(it)->first;
    for (std::int64_t t = it->first; t < until; t += it->second) bar_starts.push_back(t);
  }
  auto bar_of = [&](std::int64_t tick) {
    return static_cast<std::int64_t>(std::upper_bound(bar_starts.begin(), bar_starts.end(), tick) - bar_starts.begin()) - 1;
  };
  auto start_of = [&](int b) { return bar_starts[static_cast<std::size_t>(b)]; };
  INFO("bar length at 0: " << bar_length_from.rbegin()->second << " ticks, " << bar_length_from.size() << " metre(s)");

  struct RawNote {
    std::int64_t on, off;
    int key;
    bool drum;
  };
  std::vector<RawNote> notes;
  for (const auto& track : file.tracks) {
    std::map<std::pair<int, int>, std::deque<std::size_t>> open;  // (channel, key) → indices, oldest first
    std::int64_t track_end = 0;
    for (const auto& e : track.events) {
      track_end = std::max<std::int64_t>(track_end, static_cast<std::int64_t>(e.tick));
      if (e.kind != midi::EventKind::Channel) continue;
      const bool on = e.type() == 0x90 && e.data2 > 0;
      const bool off = e.type() == 0x80 || (e.type() == 0x90 && e.data2 == 0);
      if (on) {
        open[{e.channel(), e.data1}].push_back(notes.size());
        notes.push_back({static_cast<std::int64_t>(e.tick), -1, e.data1, e.channel() == 9});
      } else if (off) {
        auto& q = open[{e.channel(), e.data1}];
        if (q.empty()) continue;
        notes[q.front()].off = static_cast<std::int64_t>(e.tick);
        q.pop_front();
      }
    }
    for (auto& [key, q] : open)
      for (std::size_t i : q) notes[i].off = track_end;
  }
  for (auto& n : notes)
    if (n.off <= n.on) n.off = n.on + 1;
  REQUIRE(notes.size() > 100);

  std::int64_t last = 0;
  for (const auto& n : notes) last = std::max(last, n.off - 1);
  REQUIRE(last < horizon / 2);
  const int total_bars = static_cast<int>(bar_of(last) + 1);

  auto count = [&](int first, int end) {
    BarRangeStats s;
    s.first_bar = first;
    s.bars = end - first;
    std::set<std::int64_t> busy;
    std::vector<int> classes(12, 0);
    std::map<std::int64_t, int> delta;  // sweep of sounding notes
    int pitched = 0;
    for (const auto& n : notes) {
      const std::int64_t b = bar_of(n.on);
      const bool in = b >= first && b < end;
      if (in) {
        ++s.notes;
        busy.insert(b);
      }
      if (n.drum) continue;
      if (in) {
        ++classes[n.key % 12];
        ++pitched;
        s.pitch_min = s.pitch_min < 0 ? n.key : std::min(s.pitch_min, n.key);
        s.pitch_max = std::max(s.pitch_max, n.key);
      }
      const std::int64_t a = std::max(n.on, start_of(first)), z = std::min(n.off, start_of(end));
      if (a < z) {
        ++delta[a];
        --delta[z];
      }
    }
    s.empty_bar_fraction = 1.0 - static_cast<double>(busy.size()) / s.bars;
    for (int c : classes)
      if (c) s.pitch_class_entropy_bits -= static_cast<double>(c) / pitched * std::log2(static_cast<double>(c) / pitched);
    // Time-weighted polyphony by an explicit sweep: Σ k·dt over the time with k ≥ 1, / that time.
    double weighted = 0, covered = 0;
    int k = 0;
    std::int64_t prev = 0;
    for (const auto& [tick, d] : delta) {
      if (k > 0) {
        weighted += static_cast<double>(k) * static_cast<double>(tick - prev);
        covered += static_cast<double>(tick - prev);
      }
      k += d;
      prev = tick;
    }
    s.mean_polyphony = covered > 0 ? weighted / covered : 0.0;
    return s;
  };
  auto same = [](const BarRangeStats& got, const BarRangeStats& want) {
    CHECK(got.first_bar == want.first_bar);
    CHECK(got.bars == want.bars);
    CHECK(got.notes == want.notes);
    CHECK(got.empty_bar_fraction == Approx(want.empty_bar_fraction));
    CHECK(got.pitch_class_entropy_bits == Approx(want.pitch_class_entropy_bits));
    CHECK(got.mean_polyphony == Approx(want.mean_polyphony));
    CHECK(got.pitch_min == want.pitch_min);
    CHECK(got.pitch_max == want.pitch_max);
  };

  const Score score = read_score(path);
  const TakeStats t = take_stats(score, 8);
  CHECK(t.total_bars == total_bars);
  REQUIRE(total_bars > 12);
  same(t.prompt, count(0, 8));
  same(t.continuation, count(8, total_bars));
  const int n = total_bars - 8;
  for (int q = 0; q < 4; ++q) {
    INFO("quarter " << q);
    same(t.quarters[static_cast<std::size_t>(q)], count(8 + q * n / 4, 8 + (q + 1) * n / 4));
  }
  CHECK(t.prompt.notes + t.continuation.notes == static_cast<int>(notes.size()));
  CHECK(t.prompt.pitch_class_entropy_bits > 2.0);  // a real song uses many pitch classes
}
