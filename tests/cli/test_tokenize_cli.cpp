// `spe tokenize` / `spe detokenize` through the built binary: round trips on real corpus files and
// one-line errors (exit 2) on bad input.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "music/score_midi.hpp"
#include "spe_run.hpp"
#include "test_paths.hpp"
#include "midi/midi_files.hpp"

using spe::test::ProgramRun;
using spe::test::run_spe_cli;

namespace {

nlohmann::json load_json(const std::filesystem::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

// Single-quoted for the shell (appends rather than "'" + s: GCC 12 warns falsely on the latter).
std::string q(const std::filesystem::path& p) {
  std::string out(1, '\'');
  out.append(p.string()).push_back('\'');
  return out;
}

// tokenize → detokenize → tokenize again must give the very same ids (the decoded score is on the grid).
// Returns the scratch folder (a.json = first tokenization).
std::filesystem::path cli_round_trip(const std::filesystem::path& midi, const std::string& scheme_args,
                                     const std::string& scratch) {
  const auto dir = spe::test::scratch_dir(scratch);
  const auto a = dir / "a.json", b_mid = dir / "b.mid", b = dir / "b.json";
  auto r = run_spe_cli("tokenize " + scheme_args + " " + q(midi) + " -o " + q(a));
  INFO(r.output);
  REQUIRE(r.status == 0);
  r = run_spe_cli("detokenize " + q(a) + " -o " + q(b_mid));
  INFO(r.output);
  REQUIRE(r.status == 0);
  r = run_spe_cli("tokenize " + scheme_args + " " + q(b_mid) + " -o " + q(b));
  REQUIRE(r.status == 0);
  const auto ja = load_json(a), jb = load_json(b);
  CHECK(ja.at("ids").size() > 100);
  CHECK(ja.at("ids") == jb.at("ids"));
  CHECK(ja.at("names").size() == ja.at("ids").size());
  CHECK(ja.at("tokenizer") == jb.at("tokenizer"));
  const auto notes_encoded = ja.at("report").at("notes_encoded").get<std::size_t>();
  CHECK(notes_encoded > 0);
  CHECK(spe::music::read_score(b_mid).note_count() == notes_encoded);
  return dir;
}

}  // namespace

TEST_CASE("spe tokenize/detokenize REMI round trip on a POP909 song") {
  const auto dir = spe::test::shared_data("pop909");
  if (!dir) return;
  const auto scratch = cli_round_trip(*dir / "POP909" / "001" / "001.mid", "--scheme remi", "cli_remi_paper");
  cli_round_trip(*dir / "POP909" / "002" / "002.mid", "--scheme remi --vocab full", "cli_remi_full");
  const auto j = load_json(scratch / "a.json");
  CHECK(j.at("scheme") == "remi");
  CHECK(j.at("tokenizer").at("vocabulary").at("size") == 333);
  CHECK(j.at("names").at(0) == "Bar_None");
  CHECK(j.at("chords") == "POP909 chord_midi.txt");
  const auto has_chord = [](const nlohmann::json& names) {
    for (const auto& n : names)
      if (n.get<std::string>().rfind("Chord_", 0) == 0) return true;
    return false;
  };
  CHECK(has_chord(j.at("names")));
  const auto none = scratch / "none.json";
  REQUIRE(run_spe_cli("tokenize --scheme remi --chords none " + q(*dir / "POP909" / "001" / "001.mid") +
                      " -o " + q(none))
              .status == 0);
  CHECK_FALSE(has_chord(load_json(none).at("names")));
}

TEST_CASE("spe tokenize/detokenize event round trip on a groove_mma trio") {
  const auto dir = spe::test::shared_data("groove_mma");
  if (!dir) return;
  const auto files = spe::midi::list_midi_files(*dir / "test");
  REQUIRE(!files.empty());
  cli_round_trip(files.front(), "--scheme event", "cli_event");
  cli_round_trip(files.back(), "--scheme event --paper-time-shifts", "cli_event_paper");
}

TEST_CASE("spe tokenize / detokenize reject bad input with one line and exit 2") {
  const auto dir = spe::test::scratch_dir("cli_tokens_bad");
  auto one_line_error = [](const ProgramRun& r, const std::string& needle) {
    INFO(r.output);
    CHECK(r.status == 2);
    CHECK(r.output.find(needle) != std::string::npos);
    CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
  };
  one_line_error(run_spe_cli("tokenize --scheme remi " + q(dir / "missing.mid")), "missing.mid");
  {
    std::ofstream(dir / "text.mid") << "this is not MIDI";
    one_line_error(run_spe_cli("tokenize --scheme remi " + q(dir / "text.mid")), "text.mid");
  }
  {
    std::ofstream(dir / "bad.json") << "{not json";
    one_line_error(run_spe_cli("detokenize " + q(dir / "bad.json") + " -o " + q(dir / "x.mid")), "bad.json");
  }
  {
    std::ofstream(dir / "range.json") << R"({"tokenizer":{"scheme":"remi"},"ids":[0,1,999]})";
    one_line_error(run_spe_cli("detokenize " + q(dir / "range.json") + " -o " + q(dir / "x.mid")), "999");
  }
  {
    std::ofstream(dir / "scheme.json") << R"({"tokenizer":{"scheme":"bpe"},"ids":[0]})";
    one_line_error(run_spe_cli("detokenize " + q(dir / "scheme.json") + " -o " + q(dir / "x.mid")), "bpe");
  }
  CHECK_FALSE(std::filesystem::exists(dir / "x.mid"));
  CHECK(run_spe_cli("tokenize --scheme piano " + q(dir / "text.mid")).status == 2);
  one_line_error(run_spe_cli("tokenize --scheme event --vocab full " + q(dir / "text.mid")), "--vocab");
}
