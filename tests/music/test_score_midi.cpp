#include <catch2/catch.hpp>
#include <map>

#include "../midi/smf_bytes.hpp"
#include "music/score_midi.hpp"
#include "test_paths.hpp"
#include "midi/midi_files.hpp"

using namespace spe::music;
using spe::test::Bytes;

namespace {
Score score_of(const Bytes& b, ReadOptions opt = {}) { return score_from_midi(spe::midi::parse(b, "t.mid"), opt); }
}  // namespace

TEST_CASE("a type-0 file becomes one track per channel, channel 10 = drums") {
  Bytes body{0x00, 0xFF, 0x03, 0x03, 'a', 'b', 'c',
             0x00, 0xC0, 33,             // ch 0 program 33
             0x00, 0x90, 40, 90,         // ch 0 bass note
             0x00, 0x99, 36, 100,        // ch 9 kick
             0x00, 0x91, 64, 70,         // ch 1 piano
             0x60, 0x89, 36, 0,          // kick off at 96
             0x00, 0x91, 64, 0,          // ch1 off (vel 0 note-on)
             0x60, 0x80, 40, 0};         // bass off at 192
  spe::test::append(body, {0x00, 0xFF, 0x2F, 0x00});
  const Score s = score_of(spe::test::smf(0, 96, {body}));
  CHECK(s.ticks_per_beat == 96);
  REQUIRE(s.tracks.size() == 3);
  CHECK(s.tracks[0].channel == 0);
  CHECK(s.tracks[0].program == 33);
  CHECK(s.tracks[0].name == "abc");
  REQUIRE(s.tracks[0].notes.size() == 1);
  CHECK(s.tracks[0].notes[0].end == 192);
  CHECK(s.tracks[1].is_drum);
  CHECK(s.tracks[1].notes[0].end == 96);
  CHECK(s.tracks[2].channel == 1);
  CHECK(s.tracks[2].notes[0].velocity == 70);
  CHECK(s.tracks[2].notes[0].end == 96);
  CHECK(s.note_count() == 3);
}

TEST_CASE("overlapping notes of one pitch pair first-in first-out and unclosed notes end at end of track") {
  Bytes body{0x00, 0x90, 60, 10,   // A on at 0
             0x0A, 0x90, 60, 20,   // B on at 10
             0x0A, 0x80, 60, 0,    // off at 20 → ends A
             0x0A, 0x80, 60, 0,    // off at 30 → ends B
             0x00, 0x90, 62, 30,   // C on at 30, never off
             0x00, 0x90, 64, 40,   // D: on and off at the same tick → one tick long
             0x00, 0x80, 64, 0,
             0x14, 0xFF, 0x2F, 0x00};  // end of track at 50
  const Score s = score_of(spe::test::smf(1, 480, {body}));
  REQUIRE(s.tracks.size() == 1);
  const auto& n = s.tracks[0].notes;
  REQUIRE(n.size() == 4);
  CHECK((n[0].start == 0 && n[0].end == 20 && n[0].velocity == 10));
  CHECK((n[1].start == 10 && n[1].end == 30 && n[1].velocity == 20));
  CHECK((n[2].pitch == 62 && n[2].end == 50));
  CHECK((n[3].pitch == 64 && n[3].end == 31));
}

TEST_CASE("sustain pedal extends note ends only when asked") {
  Bytes body{0x00, 0xB0, 64, 127,  // pedal down
             0x00, 0x90, 60, 80,
             0x0A, 0x80, 60, 0,    // off at 10, held
             0x00, 0x90, 67, 80,
             0x0A, 0x80, 67, 0,    // off at 20, held
             0x0A, 0x90, 60, 80,   // re-strike 60 at 30: held 60 ends at 30
             0x0A, 0x80, 60, 0,    // off at 40, held
             0x3C, 0xB0, 64, 0,    // pedal up at 100
             0x00, 0xFF, 0x2F, 0x00};
  const Bytes file = spe::test::smf(1, 480, {body});
  const Score dry = score_of(file);
  REQUIRE(dry.tracks[0].notes.size() == 3);
  CHECK(dry.tracks[0].notes[0].end == 10);
  ReadOptions opt;
  opt.apply_sustain = true;
  const Score wet = score_of(file, opt);
  const auto& n = wet.tracks[0].notes;
  REQUIRE(n.size() == 3);
  CHECK((n[0].pitch == 60 && n[0].end == 30));
  CHECK((n[1].pitch == 67 && n[1].end == 100));
  CHECK((n[2].pitch == 60 && n[2].start == 30 && n[2].end == 100));
}

TEST_CASE("tempo, signatures, markers and chord markers are collected") {
  Bytes conductor{0x00, 0xFF, 0x58, 0x04, 3, 2, 24, 8,     // 3/4
                  0x00, 0xFF, 0x59, 0x02, 0xFE, 1,         // 2 flats, minor
                  0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20, // 120 BPM
                  0x00, 0xFF, 0x06, 0x0D, 'g','l','o','b','a','l','_','b','p','m','_','7','7',
                  0x00, 0xFF, 0x06, 0x07, 'G','#','_','M','7','_','C',
                  0x83, 0x60, 0xFF, 0x51, 0x03, 0x0F, 0x42, 0x40, // 60 BPM at 480
                  0x00, 0xFF, 0x06, 0x05, 'N','_','N','_','N',
                  0x00, 0xFF, 0x2F, 0x00};
  const Score s = score_of(spe::test::smf(1, 480, {conductor}));
  REQUIRE(s.time_signatures.size() == 1);
  CHECK((s.time_signatures[0].numerator == 3 && s.time_signatures[0].denominator == 4));
  REQUIRE(s.key_signatures.size() == 1);
  CHECK((s.key_signatures[0].sharps == -2 && s.key_signatures[0].minor));
  REQUIRE(s.tempos.size() == 2);
  CHECK(s.tempos[0].bpm == Approx(120.0));
  CHECK(s.tempos[1].tick == 480);
  CHECK(s.tempos[1].bpm == Approx(60.0));
  REQUIRE(s.markers.size() == 1);
  CHECK(s.markers[0].text == "global_bpm_77");
  REQUIRE(s.chords.size() == 2);
  CHECK((s.chords[0].root == 8 && s.chords[0].quality == "M7" && s.chords[0].bass == 0));
  CHECK((s.chords[1].root == -1 && s.chords[1].tick == 480));
  CHECK(s.tracks.empty());
}

TEST_CASE("write_score then read_score is the identity on corpus files") {
  auto dir = spe::test::shared_data("multitrack_pop");
  if (!dir) return;
  const auto out_dir = spe::test::scratch_dir("score_roundtrip");
  for (const auto& path : spe::midi::list_midi_files(*dir)) {
    INFO(path.string());
    const Score a = read_score(path);
    write_score(a, out_dir / "x.mid");
    const Score b = read_score(out_dir / "x.mid");
    CHECK(b.ticks_per_beat == a.ticks_per_beat);
    REQUIRE(b.tracks.size() == a.tracks.size());
    for (std::size_t t = 0; t < a.tracks.size(); ++t) {
      CHECK(b.tracks[t].name == a.tracks[t].name);
      CHECK(b.tracks[t].program == a.tracks[t].program);
      CHECK(b.tracks[t].channel == a.tracks[t].channel);
      CHECK(b.tracks[t].is_drum == a.tracks[t].is_drum);
      REQUIRE(b.tracks[t].notes.size() == a.tracks[t].notes.size());
      for (std::size_t i = 0; i < a.tracks[t].notes.size(); ++i) {
        const auto& x = a.tracks[t].notes[i];
        const auto& y = b.tracks[t].notes[i];
        CHECK((x.start == y.start && x.end == y.end && x.pitch == y.pitch && x.velocity == y.velocity));
      }
    }
    REQUIRE(b.tempos.size() == a.tempos.size());
    for (std::size_t i = 0; i < a.tempos.size(); ++i) {
      CHECK(b.tempos[i].tick == a.tempos[i].tick);
      CHECK(b.tempos[i].bpm == Approx(a.tempos[i].bpm).epsilon(1e-12));
    }
    CHECK(b.time_signatures.size() == a.time_signatures.size());
    CHECK(b.key_signatures.size() == a.key_signatures.size());
    CHECK(b.markers.size() == a.markers.size());
    CHECK(b.chords.size() == a.chords.size());
  }
}

namespace {

void require_same(const Score& a, const Score& b) {
  CHECK(b.ticks_per_beat == a.ticks_per_beat);
  REQUIRE(b.tracks.size() == a.tracks.size());
  for (std::size_t t = 0; t < a.tracks.size(); ++t) {
    const auto &x = a.tracks[t], &y = b.tracks[t];
    CHECK((y.name == x.name && y.program == x.program && y.channel == x.channel && y.is_drum == x.is_drum));
    REQUIRE(y.notes.size() == x.notes.size());
    for (std::size_t i = 0; i < x.notes.size(); ++i)
      CHECK((x.notes[i].start == y.notes[i].start && x.notes[i].end == y.notes[i].end &&
             x.notes[i].pitch == y.notes[i].pitch && x.notes[i].velocity == y.notes[i].velocity));
  }
  REQUIRE(b.tempos.size() == a.tempos.size());
  for (std::size_t i = 0; i < a.tempos.size(); ++i)
    CHECK((b.tempos[i].tick == a.tempos[i].tick && b.tempos[i].bpm == Approx(a.tempos[i].bpm).epsilon(1e-6)));
  REQUIRE(b.time_signatures.size() == a.time_signatures.size());
  for (std::size_t i = 0; i < a.time_signatures.size(); ++i)
    CHECK((b.time_signatures[i].tick == a.time_signatures[i].tick &&
           b.time_signatures[i].numerator == a.time_signatures[i].numerator &&
           b.time_signatures[i].denominator == a.time_signatures[i].denominator));
  REQUIRE(b.key_signatures.size() == a.key_signatures.size());
  for (std::size_t i = 0; i < a.key_signatures.size(); ++i)
    CHECK((b.key_signatures[i].tick == a.key_signatures[i].tick && b.key_signatures[i].sharps == a.key_signatures[i].sharps &&
           b.key_signatures[i].minor == a.key_signatures[i].minor));
  REQUIRE(b.markers.size() == a.markers.size());
  for (std::size_t i = 0; i < a.markers.size(); ++i)
    CHECK((b.markers[i].tick == a.markers[i].tick && b.markers[i].text == a.markers[i].text));
  REQUIRE(b.chords.size() == a.chords.size());
  for (std::size_t i = 0; i < a.chords.size(); ++i)
    CHECK((b.chords[i].tick == a.chords[i].tick && b.chords[i].root == a.chords[i].root &&
           b.chords[i].quality == a.chords[i].quality && b.chords[i].bass == a.chords[i].bass));
}

}  // namespace

TEST_CASE("a score built in memory survives write_score / read_score exactly") {
  Score s;
  s.ticks_per_beat = 384;
  s.tempos = {{0, 96.0}, {1536, 132.5}};
  s.time_signatures = {{0, 4, 4}, {3072, 7, 8}};
  s.key_signatures = {{0, 3, false}, {3072, -4, true}};
  s.markers = {{0, "Intro"}, {1536, "Verse \xC3\xA9t\xC3\xA9"}};
  s.chords = {{0, 9, "m7", -1}, {768, 2, "M", 9}, {1536, -1, "N", -1}, {1920, 7, "sus4", -1}};
  Track piano{"Piano", 0, 0, false, {}};
  piano.notes = {{0, 384, 57, 80}, {0, 768, 64, 90}, {384, 768, 57, 81}, {768, 769, 100, 1}, {1000, 5000, 21, 127}};
  Track drums{"Kit", 0, 9, true, {{0, 1, 36, 110}, {0, 1, 42, 70}, {192, 200, 42, 60}}};
  Track pad{"Pad on ch10 by mistake", 89, 9, false, {{0, 3072, 48, 50}}};  // must move off channel 10
  s.tracks = {piano, drums, pad};
  const auto dir = spe::test::scratch_dir("score_memory_roundtrip");
  write_score(s, dir / "s.mid");
  const Score r = read_score(dir / "s.mid");
  REQUIRE(r.tracks.size() == 3);
  CHECK(r.tracks[2].channel != 9);
  CHECK_FALSE(r.tracks[2].is_drum);
  s.tracks[2].channel = r.tracks[2].channel;
  require_same(s, r);
  CHECK(spe::midi::read_file(dir / "s.mid").format == 1);
}

TEST_CASE("write_score names the file when it cannot write") {
  Score s;
  s.tracks.push_back(Track{"", 0, 0, false, {{10, 10, 60, 64}}});  // zero-length note
  const auto dir = spe::test::scratch_dir("score_write_errors");
  CHECK_THROWS_WITH(write_score(s, dir / "bad.mid"), Catch::Matchers::StartsWith((dir / "bad.mid").string() + ": "));
  CHECK_FALSE(std::filesystem::exists(dir / "bad.mid"));
  s.tracks[0].notes[0].end = 20;
  s.time_signatures = {{0, 3, 5}};
  CHECK_THROWS_WITH(write_score(s, dir / "bad.mid"), Catch::Matchers::Contains("time signature 3/5"));
}

TEST_CASE("Pop1K7 files keep their chords and markers through write / read", "[integration]") {
  auto dir = spe::test::shared_data("pop1k7");
  if (!dir) return;
  const auto files = spe::midi::list_midi_files(*dir);
  const auto out = spe::test::scratch_dir("pop1k7_roundtrip");
  std::size_t chords = 0, checked = 0;
  for (std::size_t i = 0; i < files.size(); i += 50) {
    INFO(files[i].string());
    const Score a = read_score(files[i]);
    CHECK(!a.chords.empty());
    chords += a.chords.size();
    write_score(a, out / "x.mid");
    require_same(a, read_score(out / "x.mid"));
    ++checked;
  }
  WARN("pop1k7: " << checked << " files, " << chords << " chord markers round-tripped");
}

TEST_CASE("sustain on real piano files only lengthens notes", "[integration]") {
  auto dir = spe::test::shared_data("pop909");
  if (!dir) return;
  std::size_t lengthened = 0, notes = 0, files_with_pedal = 0;
  ReadOptions wet;
  wet.apply_sustain = true;
  const auto files = spe::midi::list_midi_files(*dir);
  for (std::size_t f = 0; f < files.size(); f += 30) {
    const auto file = spe::midi::read_file(files[f]);
    const Score a = score_from_midi(file), b = score_from_midi(file, wet);
    REQUIRE(a.tracks.size() == b.tracks.size());
    std::size_t before = lengthened;
    for (std::size_t t = 0; t < a.tracks.size(); ++t) {
      REQUIRE(a.tracks[t].notes.size() == b.tracks[t].notes.size());
      // Same multiset of onsets; every sustained end at or after the dry end of the note with that onset.
      std::multimap<std::pair<Tick, int>, Tick> dry;
      for (const auto& n : a.tracks[t].notes) dry.emplace(std::make_pair(n.start, n.pitch), n.end);
      for (const auto& n : b.tracks[t].notes) {
        auto it = dry.find({n.start, n.pitch});
        REQUIRE(it != dry.end());
        CHECK(n.end >= it->second);
        lengthened += n.end > it->second;
        dry.erase(it);
        ++notes;
      }
    }
    files_with_pedal += lengthened > before;
  }
  WARN("pop909 sample: " << notes << " notes, " << lengthened << " lengthened by the pedal in " << files_with_pedal
                         << " files");
}

TEST_CASE("tracks without a name take their instrument name or leading text") {
  Bytes with_text{0x00, 0xFF, 0x01, 0x03, 'G', 't', 'r', 0x00, 0x90, 60, 90, 0x10, 0x80, 60, 0, 0x00, 0xFF, 0x2F, 0x00};
  Bytes with_instrument{0x00, 0xFF, 0x01, 0x01, 'x', 0x00, 0xFF, 0x04, 0x04, 'O', 'b', 'o', 'e',
                        0x00, 0x91, 60, 90, 0x10, 0x81, 60, 0, 0x00, 0xFF, 0x2F, 0x00};
  Bytes text_after_note{0x00, 0x92, 60, 90, 0x00, 0xFF, 0x01, 0x02, 'l', 'a', 0x10, 0x82, 60, 0, 0x00, 0xFF, 0x2F, 0x00};
  const Score s = score_of(spe::test::smf(1, 480, {with_text, with_instrument, text_after_note}));
  REQUIRE(s.tracks.size() == 3);
  CHECK(s.tracks[0].name == "Gtr");
  CHECK(s.tracks[1].name == "Oboe");
  CHECK(s.tracks[2].name.empty());
}
