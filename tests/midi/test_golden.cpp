// Golden event dumps of the hand-made fixtures in tests/data/midi (made by make_fixtures.py there).
// SPE_UPDATE_GOLDEN=1 rewrites the .events.txt files; review the diff before committing it.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "midi/dump.hpp"
#include "midi/smf.hpp"
#include "music/score_midi.hpp"
#include "music/tempo_map.hpp"
#include "test_paths.hpp"
#include "midi/midi_files.hpp"

using namespace spe;

namespace {

std::filesystem::path fixture(const std::string& name) { return test::test_data_dir() / "midi" / name; }

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("event dumps of the fixtures match their golden files") {
  const auto files = spe::midi::list_midi_files(test::test_data_dir() / "midi");
  REQUIRE(files.size() == 5);
  const bool update = std::getenv("SPE_UPDATE_GOLDEN") != nullptr;
  for (const auto& path : files) {
    INFO(path.string());
    const std::string text = midi::dump(midi::read_file(path));
    auto golden = path;
    golden.replace_extension(".events.txt");
    if (update) std::ofstream(golden, std::ios::binary) << text;
    REQUIRE(std::filesystem::exists(golden));
    CHECK(text == slurp(golden));
  }
}

TEST_CASE("RMID wrapping and trailing garbage do not change what is read") {
  CHECK(midi::read_file(fixture("rmid_wrapped.mid")) == midi::read_file(fixture("type0_running_status.mid")));
}

TEST_CASE("SMPTE fixture: note times in seconds survive the conversion") {
  const auto score = music::read_score(fixture("smpte_25fps.mid"));
  const music::TempoMap map(score);
  REQUIRE(score.tracks.size() == 1);
  const auto& n = score.tracks[0].notes;
  REQUIRE(n.size() == 2);
  CHECK(map.seconds_at(n[0].end) - map.seconds_at(n[0].start) == Approx(0.5));
  CHECK(map.seconds_at(n[1].end) == Approx(2.0));
}

TEST_CASE("type-1 fixture reads into the expected score") {
  const auto s = music::read_score(fixture("type1_conductor.mid"));
  REQUIRE(s.tracks.size() == 2);
  CHECK(s.tracks[0].name == "Piano");
  CHECK(s.tracks[1].is_drum);
  CHECK(s.tracks[1].notes.size() == 3);
  CHECK(s.tracks[1].notes[0].end == 1);  // zero-length hit → one tick
  CHECK(s.tracks[1].notes[2].end == 481);  // never switched off: ends at end of track (+1 tick minimum)
  const auto& piano = s.tracks[0].notes;
  REQUIRE(piano.size() == 6);
  CHECK((piano[4].start == 3840 && piano[4].end == 4320 && piano[4].velocity == 90));  // FIFO pairing
  CHECK((piano[5].start == 3840 && piano[5].end == 5280 && piano[5].velocity == 60));
  REQUIRE(s.chords.size() == 4);
  CHECK(s.chords[2].bass == 6);
  REQUIRE(s.markers.size() == 1);
  CHECK(s.tempos.size() == 2);
  CHECK(s.time_signatures.size() == 2);
  CHECK(s.key_signatures.size() == 1);
  CHECK(s.tracks[0].name == "Piano");
  const auto t0 = music::read_score(fixture("type0_running_status.mid"));
  REQUIRE(t0.tracks.size() == 3);
  CHECK(t0.tracks[0].name == "Band \"A\"\xC3\xA9");  // Latin-1 é decoded to UTF-8
}

TEST_CASE("sustain option on the type-0 fixture holds the piano notes to the pedal release") {
  music::ReadOptions opt;
  opt.apply_sustain = true;
  const auto s = music::read_score(fixture("type0_running_status.mid"), opt);
  REQUIRE(s.tracks.size() == 3);
  for (const auto& n : s.tracks[2].notes) CHECK(n.end == 96);
  const auto dry = music::read_score(fixture("type0_running_status.mid"));
  for (const auto& n : dry.tracks[2].notes) CHECK(n.end == 48);
}

TEST_CASE("every fixture survives serialize → parse with identical events") {
  for (const auto& path : spe::midi::list_midi_files(test::test_data_dir() / "midi")) {
    INFO(path.string());
    midi::File f = midi::read_file(path);
    const midi::File again = midi::parse(midi::serialize(f), "again");
    f.smpte = false;  // written as plain ticks per beat
    CHECK(again == f);
  }
}
