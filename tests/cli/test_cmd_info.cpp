#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "music/score_midi.hpp"
#include "spe_run.hpp"
#include "test_paths.hpp"

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

using spe::test::ProgramRun;
using spe::test::shell_quote;

// stdout and stderr apart: `spe info` reports on stdout and fails with one line on stderr.
ProgramRun run_spe(const std::string& args) {
  return spe::test::run_spe_cli(args, {.separate_stderr = true});
}

std::string fixture(const std::string& name) { return (spe::test::test_data_dir() / "midi" / name).string(); }

}  // namespace

TEST_CASE("spe info summarises a MIDI file") {
  const auto r = run_spe("info " + shell_quote(fixture("type1_conductor.mid")));
  REQUIRE(r.status == 0);
  CHECK(r.error.empty());
  using Catch::Matchers::Contains;
  CHECK_THAT(r.output, Contains("format 1, 3 MIDI tracks, 480 ticks per beat"));
  CHECK_THAT(r.output, Contains("duration 5.94 s, 3.00 bars"));
  CHECK_THAT(r.output, Contains("tick 1920 (bar 2): 106.67 BPM"));
  CHECK_THAT(r.output, Contains("tick 3840 (bar 3): 6/8"));
  CHECK_THAT(r.output, Contains("0: \"Piano\"  0 Acoustic Grand Piano  channel 1  6 notes  G3..D#4"));
  CHECK_THAT(r.output, Contains("1: \"Drums\"  drums  channel 10  3 notes  C2..F#2"));
  CHECK_THAT(r.output, Contains("total notes: 9"));
}

TEST_CASE("spe info --json gives the same facts, machine-readable") {
  const auto r = run_spe("info --json " + shell_quote(fixture("type1_conductor.mid")));
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.output);
  CHECK(j["format"] == 1);
  CHECK(j["ticks_per_beat"] == 480);
  CHECK(j["total_notes"] == 9);
  CHECK(j["duration_seconds"].get<double>() == Approx(5.9375));
  CHECK(j["duration_bars"].get<double>() == Approx(3.0));
  REQUIRE(j["tempos"].size() == 2);
  CHECK(j["tempos"][1]["bpm"].get<double>() == Approx(106.6667).epsilon(1e-4));
  CHECK(j["tempos"][1]["seconds"].get<double>() == Approx(2.0));
  REQUIRE(j["time_signatures"].size() == 2);
  CHECK(j["time_signatures"][1]["numerator"] == 6);
  CHECK(j["time_signatures"][1]["bar"] == 2);
  REQUIRE(j["tracks"].size() == 2);
  CHECK(j["tracks"][0]["name"] == "Piano");
  CHECK(j["tracks"][0]["pitch_min"] == 55);
  CHECK(j["tracks"][0]["pitch_max"] == 63);
  CHECK(j["tracks"][1]["is_drum"] == true);
  CHECK(j["tracks"][1]["channel"] == 9);
  CHECK(j["chords"].size() == 4);
  CHECK(j["markers"][0]["text"] == "global_bpm_120");
}

TEST_CASE("spe info --events prints the golden event dump") {
  const auto r = run_spe("info --events " + shell_quote(fixture("type0_running_status.mid")));
  REQUIRE(r.status == 0);
  const std::string golden = slurp(spe::test::test_data_dir() / "midi" / "type0_running_status.events.txt");
  REQUIRE(!golden.empty());
  CHECK(r.output.size() > golden.size());
  CHECK(r.output.substr(r.output.size() - golden.size()) == golden);
  const auto j = nlohmann::json::parse(
      run_spe("info --json " + shell_quote(fixture("type0_running_status.mid"))).output);
  CHECK(j["tracks"][0]["name"] == "Band \"A\"\xC3\xA9");  // valid UTF-8 in JSON
}

TEST_CASE("spe info agrees with the library on a corpus file") {
  auto dir = spe::test::shared_data("pop909");
  if (!dir) return;
  const auto path = *dir / "POP909" / "001" / "001.mid";
  const auto r = run_spe("info --json " + shell_quote(path.string()));
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.output);
  const auto score = spe::music::read_score(path);
  CHECK(j["total_notes"] == score.note_count());
  CHECK(j["tracks"].size() == score.tracks.size());
}

TEST_CASE("spe info exits 2 with one line naming the file and the problem") {
  const auto dir = spe::test::scratch_dir("cli_info_bad");
  const auto text = dir / "notes.mid";
  std::ofstream(text) << "these are not MIDI bytes\n";
  const auto cut = dir / "cut.mid";
  {
    const std::string bytes = slurp(fixture("type1_conductor.mid"));
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, 60);
  }
  const std::vector<std::pair<std::string, std::string>> cases{
      {text.string(), "not a MIDI file"},
      {cut.string(), "truncated"},
      {(dir / "missing.mid").string(), "cannot open"},
  };
  for (const auto& [file, problem] : cases) {
    INFO(file);
    const auto r = run_spe("info " + shell_quote(file));
    CHECK(r.status == 2);
    CHECK(r.output.empty());
    CHECK_THAT(r.error,
               Catch::Matchers::StartsWith("spe: " + file + ": ") && Catch::Matchers::Contains(problem));
    CHECK(std::count(r.error.begin(), r.error.end(), '\n') == 1);
  }
  CHECK(run_spe("info").status == 2);  // missing argument: usage error
}
