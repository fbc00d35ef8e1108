#include <catch2/catch.hpp>
#include <map>

#include "train/batch_sampler.hpp"
#include "train/transposition.hpp"

using namespace spe::train;

namespace {

// A REMI-like vocabulary: Bar, Beat_0, pitches 22..107, two chord qualities over 12 roots, Chord_N_N.
std::vector<std::string> remi_names() {
  std::vector<std::string> v = {"Bar_None", "Beat_0"};
  for (int p = 22; p <= 107; ++p) v.push_back("Note_Pitch_" + std::to_string(p));
  const char* roots[] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
  for (const char* q : {"M", "m7"})
    for (const char* r : roots) v.push_back(std::string("Chord_") + r + "_" + q);
  v.push_back("Chord_N_N");
  return v;
}
int idx(const std::vector<std::string>& v, const std::string& name) {
  return static_cast<int>(std::find(v.begin(), v.end(), name) - v.begin());
}

// Event-like vocabulary: note_on/off for tracks 0 (bass), 1 (drums), 2 (harmonic), pitches 0..127, then time.
std::vector<std::string> event_names() {
  std::vector<std::string> v;
  for (const char* kind : {"on", "off"})
    for (int t = 0; t < 3; ++t)
      for (int p = 0; p < 128; ++p) v.push_back("note_" + std::string(kind) + "(" + std::to_string(t) + "," + std::to_string(p) + ")");
  v.push_back("time_shift_1_0");
  return v;
}

}  // namespace

TEST_CASE("REMI transposition moves note pitches and chord roots, wrapping roots, leaving the rest") {
  auto names = remi_names();
  auto table = TranspositionTable::from_token_names(names);
  std::vector<std::int32_t> seq = {idx(names, "Bar_None"), idx(names, "Beat_0"), idx(names, "Chord_A#_m7"),
                                   idx(names, "Note_Pitch_60"), idx(names, "Chord_N_N")};
  REQUIRE(table.can_transpose(seq.data(), seq.data() + seq.size(), 3));
  table.transpose(seq.data(), seq.data() + seq.size(), 3);
  CHECK(names[seq[0]] == "Bar_None");
  CHECK(names[seq[1]] == "Beat_0");
  CHECK(names[seq[2]] == "Chord_C#_m7");  // A# + 3 = C# (wraps), quality kept
  CHECK(names[seq[3]] == "Note_Pitch_63");
  CHECK(names[seq[4]] == "Chord_N_N");
}

TEST_CASE("shifts that would leave the pitch range are refused and random shifts always stay in range") {
  auto names = remi_names();
  auto table = TranspositionTable::from_token_names(names);
  std::vector<std::int32_t> seq = {idx(names, "Note_Pitch_104"), idx(names, "Note_Pitch_25")};
  CHECK(table.can_transpose(seq.data(), seq.data() + 2, 3));
  CHECK_FALSE(table.can_transpose(seq.data(), seq.data() + 2, 4));   // 108 > 107
  CHECK(table.can_transpose(seq.data(), seq.data() + 2, -3));
  CHECK_FALSE(table.can_transpose(seq.data(), seq.data() + 2, -4));  // 21 < 22
  std::mt19937_64 rng(5);
  std::map<int, int> seen;
  for (int i = 0; i < 2000; ++i) {
    auto s = seq;
    int shift = table.random_transpose(s.data(), s.data() + 2, 6, rng);
    ++seen[shift];
    REQUIRE(shift >= -3);
    REQUIRE(shift <= 3);
    CHECK(names[s[0]] == "Note_Pitch_" + std::to_string(104 + shift));
  }
  // Re-drawing (not clamping) keeps the valid shifts uniform: 7 values, ≈2000/7 = 286 each; a 5σ band
  // of the binomial (σ ≈ 15.6) is ±78.
  CHECK(seen.size() == 7);
  for (auto [shift, count] : seen) CHECK(std::abs(count - 2000.0 / 7) < 78);
}

TEST_CASE("event-token transposition leaves drums untouched") {
  auto names = event_names();
  auto table = TranspositionTable::from_token_names(names, {1});
  std::vector<std::int32_t> seq = {idx(names, "note_on(0,40)"), idx(names, "note_on(1,36)"), idx(names, "time_shift_1_0"),
                                   idx(names, "note_off(2,64)"), idx(names, "note_off(1,36)")};
  table.transpose(seq.data(), seq.data() + seq.size(), -5);
  CHECK(names[seq[0]] == "note_on(0,35)");
  CHECK(names[seq[1]] == "note_on(1,36)");
  CHECK(names[seq[2]] == "time_shift_1_0");
  CHECK(names[seq[3]] == "note_off(2,59)");
  CHECK(names[seq[4]] == "note_off(1,36)");
  std::vector<std::int32_t> low = {idx(names, "note_on(2,3)")};
  CHECK_FALSE(table.can_transpose(low.data(), low.data() + 1, -4));
}

TEST_CASE("batches are shifted crops, padded where songs are short, reproducible from saved state") {
  TokenSeq long_song(100), short_song = {7, 8, 9};
  for (int i = 0; i < 100; ++i) long_song[static_cast<std::size_t>(i)] = 10 + i;
  SamplerOptions opt{.batch = 2, .seq_len = 8, .pad_id = 0, .max_transpose = 0, .seed = 42};
  BatchSampler sampler({&long_song, &short_song}, opt);
  for (int step = 0; step < 10; ++step) {
    TokenBatch b = sampler.next();
    REQUIRE(b.inputs.size() == 16);
    for (int row = 0; row < 2; ++row) {
      const auto* in = &b.inputs[static_cast<std::size_t>(row) * 8];
      const auto* tg = &b.targets[static_cast<std::size_t>(row) * 8];
      if (in[0] == 7) {  // the short song: 2 targets then ignored, inputs padded
        CHECK(tg[0] == 8);
        CHECK(tg[1] == 9);
        CHECK(in[3] == 0);
        CHECK(tg[2] == kIgnoreTarget);
      } else {  // a contiguous crop of the long song, target = next token
        for (int i = 0; i < 8; ++i) CHECK(tg[i] == in[i] + 1);
        for (int i = 1; i < 8; ++i) CHECK(in[i] == in[i - 1] + 1);
      }
    }
    // each epoch (2 songs) visits both songs once: every batch has one of each
    CHECK(((b.inputs[0] == 7) != (b.inputs[8] == 7)));
  }
  const std::string state = sampler.state_json();
  auto a1 = sampler.next(), a2 = sampler.next();
  BatchSampler resumed({&long_song, &short_song}, opt);
  resumed.restore_state(state);
  auto b1 = resumed.next(), b2 = resumed.next();
  CHECK(a1.inputs == b1.inputs);
  CHECK(a2.targets == b2.targets);
  SamplerOptions other = opt;
  other.seq_len = 9;
  BatchSampler mismatched({&long_song, &short_song}, other);
  CHECK_THROWS_WITH(mismatched.restore_state(state), Catch::Contains("different"));
}
