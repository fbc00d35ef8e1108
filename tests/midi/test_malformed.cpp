// Malformed files (tests/data/malformed, made by make_malformed.py) each give their own clear message,
// and every input the fuzzer ever crashed on (tests/data/fuzz_regressions) is handled without a crash.
#include <catch2/catch.hpp>
#include <fstream>

#include "midi/dump.hpp"
#include "midi/smf.hpp"
#include "music/chords.hpp"
#include "music/score_midi.hpp"
#include "music/tempo_map.hpp"
#include "test_paths.hpp"

using namespace spe;

TEST_CASE("each malformed file yields a one-line MidiError naming it and its problem") {
  const auto dir = test::test_data_dir() / "malformed";
  std::ifstream expected(dir / "expected.txt");
  REQUIRE(expected);
  std::string line;
  int cases = 0;
  while (std::getline(expected, line)) {
    const auto tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    const auto path = dir / line.substr(0, tab);
    const std::string problem = line.substr(tab + 1);
    INFO(path.string());
    std::string message = "(no error)";
    try {
      midi::read_file(path);
    } catch (const midi::MidiError& e) {
      message = e.what();
    }
    CHECK_THAT(message, Catch::Matchers::StartsWith(path.string() + ": ") && Catch::Matchers::Contains(problem));
    CHECK(message.find('\n') == std::string::npos);
    ++cases;
  }
  CHECK(cases >= 19);
}

TEST_CASE("fuzzer regression inputs parse or fail cleanly") {
  const auto dir = test::test_data_dir() / "fuzz_regressions";
  std::size_t inputs = 0, parsed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename() == "README.md") continue;
    INFO(entry.path().string());
    ++inputs;
    try {
      const auto file = midi::read_file(entry.path());
      (void)midi::dump(file);
      const auto score = music::score_from_midi(file, music::ReadOptions{true, true});
      for (const auto& track : score.tracks)
        for (const auto& n : track.notes) CHECK(n.end > n.start);
      const music::TempoMap map(score);
      (void)map.seconds_at(score.end_tick());
      try {
        (void)music::recognise_chords(score);
      } catch (const std::length_error&) {  // refused: too long to analyse
      }
      ++parsed;
    } catch (const midi::MidiError& e) {
      CHECK(std::string(e.what()).find(entry.path().string()) == 0);
    }
  }
  WARN(inputs << " fuzz regression inputs, " << parsed << " of them parse");
  CHECK(inputs >= 2);
}
