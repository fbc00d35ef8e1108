// `spe stats` through the built binary: the text table, the JSON lines, the mean over files and the one-line
// error (exit 2) on bad input. The figures themselves are checked in tests/music/test_take_stats.cpp.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "music/score_midi.hpp"
#include "music/take_stats.hpp"
#include "spe_run.hpp"
#include "test_paths.hpp"

namespace {

using spe::test::ProgramRun;
using spe::test::shell_quote;
namespace music = spe::music;

ProgramRun run_spe(const std::string& args) { return spe::test::run_spe_cli(args, {.separate_stderr = true}); }

// A take that thins out, 4/4 at 480 ticks per beat, one piano track of quarter notes:
// bars 0–1 (prompt) and 2–3 (Q1): C D E F; bars 4–5 (Q2): C D E; bars 6–7 (Q3): C D; bar 8 (Q4): empty;
// bar 9 (Q4): C C (two quarter notes). Continuation: 8 + 6 + 4 + 2 = 20 notes in 8 bars; Q4/Q1 = 1 / 4.
std::filesystem::path write_fading_take(const std::filesystem::path& path) {
  music::Score score;
  music::Track piano;
  piano.name = "Piano";
  const std::vector<std::vector<int>> bars{{60, 62, 64, 65}, {60, 62, 64, 65}, {60, 62, 64, 65}, {60, 62, 64, 65},
                                           {60, 62, 64},     {60, 62, 64},     {60, 62},         {60, 62},
                                           {},               {60, 60}};
  for (std::size_t b = 0; b < bars.size(); ++b)
    for (std::size_t i = 0; i < bars[b].size(); ++i) {
      const music::Tick start = static_cast<music::Tick>(b * 1920 + i * 480);
      piano.notes.push_back({start, start + 480, bars[b][i], 80, false});
    }
  score.tracks.push_back(piano);
  music::write_score(score, path);
  return path;
}

// The whitespace-separated words of the first output line that starts (after indentation) with `label`.
std::vector<std::string> row(const std::string& output, const std::string& label) {
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(' ');
    if (first == std::string::npos || line.compare(first, label.size(), label) != 0) continue;
    std::istringstream words(line.substr(first + label.size()));
    std::vector<std::string> out{label};
    for (std::string w; words >> w;) out.push_back(w);
    return out;
  }
  return {};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("spe stats prints a table of prompt, continuation and quarters") {
  const auto dir = spe::test::scratch_dir("cli_stats_text");
  const auto take = write_fading_take(dir / "take.mid");
  const auto r = run_spe("stats --from-bar 2 " + shell_quote(take));
  INFO(r.output << r.error);
  REQUIRE(r.status == 0);
  CHECK(r.error.empty());
  CHECK_THAT(r.output, Catch::Matchers::StartsWith(take.string() +
                                                   ": 10 bars; prompt bars 1-2, continuation bars 3-10\n"));
  using V = std::vector<std::string>;
  CHECK(row(r.output, "prompt") == V{"prompt", "continuation", "Q1", "Q2", "Q3", "Q4"});
  CHECK(row(r.output, "bars") == V{"bars", "2", "8", "2", "2", "2", "2"});
  CHECK(row(r.output, "notes per bar") == V{"notes per bar", "4.00", "2.50", "4.00", "3.00", "2.00", "1.00"});
  CHECK(row(r.output, "notes") == V{"notes", "8", "20", "8", "6", "4", "2"});
  CHECK(row(r.output, "empty bars %") == V{"empty bars %", "0.0", "12.5", "0.0", "0.0", "0.0", "50.0"});
  // log2 4 = 2 bits; continuation C D E F = 8 6 4 2 of 20: 1.846; C D E: log2 3; C D: 1 bit; C C: 0.
  CHECK(row(r.output, "pc entropy (bits)") ==
        V{"pc entropy (bits)", "2.000", "1.846", "2.000", "1.585", "1.000", "0.000"});
  CHECK(row(r.output, "mean polyphony") == V{"mean polyphony", "1.00", "1.00", "1.00", "1.00", "1.00", "1.00"});
  CHECK(row(r.output, "pitch min") == V{"pitch min", "60", "60", "60", "60", "60", "60"});
  CHECK(row(r.output, "pitch max") == V{"pitch max", "65", "65", "65", "64", "62", "60"});
  CHECK(row(r.output, "Q4/Q1 notes per bar:") == V{"Q4/Q1 notes per bar:", "0.25"});
}

TEST_CASE("spe stats --json: one line per file, then the mean over the files") {
  const auto dir = spe::test::scratch_dir("cli_stats_json");
  const auto take = write_fading_take(dir / "take.mid");
  const auto pop = spe::test::source_dir() / "resources" / "prompts" / "pop909_001.mid";
  const auto r = run_spe("stats --json --from-bar 2 " + shell_quote(take) + " " + shell_quote(pop));
  INFO(r.output << r.error);
  REQUIRE(r.status == 0);
  const auto lines = lines_of(r.output);
  REQUIRE(lines.size() == 3);
  const auto a = nlohmann::json::parse(lines[0]), b = nlohmann::json::parse(lines[1]),
             mean = nlohmann::json::parse(lines[2]);
  CHECK(a["file"] == take.string());
  CHECK(a["from_bar"] == 2);
  CHECK(a["total_bars"] == 10);
  CHECK(a["prompt"]["notes"] == 8);
  CHECK(a["continuation"]["notes"] == 20);
  CHECK(a["continuation"]["empty_bar_fraction"].get<double>() == Approx(0.125));
  CHECK(a["quarters"].size() == 4);
  CHECK(a["quarters"][1]["first_bar"] == 4);
  CHECK(a["quarters"][1]["pitch_class_entropy_bits"].get<double>() == Approx(std::log2(3.0)));
  CHECK(a["quarters"][3]["notes_per_bar"].get<double>() == Approx(1.0));
  CHECK(a["last_vs_first_quarter_density"].get<double>() == Approx(0.25));

  // The second file: the very numbers of the library (to the last bit: shortest round-trip output).
  const auto t = music::take_stats(music::read_score(pop), 2);
  CHECK(b["file"] == pop.string());
  CHECK(b["total_bars"] == t.total_bars);
  CHECK(b["continuation"]["notes"] == t.continuation.notes);
  CHECK(b["continuation"]["mean_polyphony"].get<double>() == t.continuation.mean_polyphony);
  CHECK(b["quarters"][3]["pitch_class_entropy_bits"].get<double>() == t.quarters[3].pitch_class_entropy_bits);
  CHECK(b["quarters"][0]["pitch_min"] == t.quarters[0].pitch_min);

  CHECK(mean["mean_over_files"] == 2);
  CHECK(mean["prompt"]["takes"] == 2);
  CHECK(mean["prompt"]["notes"].get<double>() == Approx((8 + t.prompt.notes) / 2.0));
  CHECK(mean["continuation"]["notes_per_bar"].get<double>() == Approx((2.5 + t.continuation.notes_per_bar) / 2));
  CHECK(mean["last_vs_first_quarter_density"].get<double>() ==
        Approx((0.25 + *t.last_vs_first_quarter_density) / 2));

  // One file: no mean line. Text with two files ends with the mean table.
  CHECK(lines_of(run_spe("stats --json " + shell_quote(take)).output).size() == 1);
  const auto text = run_spe("stats --from-bar 2 " + shell_quote(take) + " " + shell_quote(take));
  REQUIRE(text.status == 0);
  CHECK_THAT(text.output, Catch::Matchers::Contains("\nmean over 2 files"));
  CHECK(row(text.output.substr(text.output.find("mean over")), "notes") ==
        std::vector<std::string>{"notes", "8.0", "20.0", "8.0", "6.0", "4.0", "2.0"});
}

TEST_CASE("spe stats exits 2 with one line naming the bad file") {
  const auto dir = spe::test::scratch_dir("cli_stats_bad");
  const auto good = write_fading_take(dir / "take.mid");
  const auto text = dir / "notes.mid";
  std::ofstream(text) << "these are not MIDI bytes\n";
  const std::vector<std::pair<std::filesystem::path, std::string>> cases{
      {text, "not a MIDI file"},
      {dir / "missing.mid", "cannot open"},
  };
  for (const auto& [file, problem] : cases) {
    INFO(file);
    // After a good file: nothing is printed for it either.
    const auto r = run_spe("stats " + shell_quote(good) + " " + shell_quote(file));
    CHECK(r.status == 2);
    CHECK(r.output.empty());
    CHECK_THAT(r.error, Catch::Matchers::StartsWith("spe: " + file.string() + ": ") &&
                            Catch::Matchers::Contains(problem));
    CHECK(std::count(r.error.begin(), r.error.end(), '\n') == 1);
  }
  CHECK(run_spe("stats").status == 2);                                            // no file
  CHECK(run_spe("stats --from-bar -1 " + shell_quote(good)).status == 2);         // negative bar
  CHECK(run_spe("stats --from-bar x " + shell_quote(good)).status == 2);          // not a number
}
