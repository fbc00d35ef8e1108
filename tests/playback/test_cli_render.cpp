// `spe render` through the built binary: a prompt becomes a valid WAV of its length; a file that is not MIDI
// gives one line naming it and exit status 2. Needs the `spe` executable (built by the default target, not
// by `ninja test_playback`, which keeps LibTorch out): skipped visibly when it is missing.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "music/score_midi.hpp"
#include "playback/schedule.hpp"
#include "playback/soundfont.hpp"
#include "spe_run.hpp"
#include "test_paths.hpp"
#include "wav_file.hpp"

using namespace spe;
namespace fs = std::filesystem;

namespace {

bool spe_or_skip() {
  if (fs::exists(test::spe_cli())) return true;
  WARN("SKIPPED: " << test::spe_cli().string() << " not built (ninja spe)");
  return false;
}

}  // namespace

TEST_CASE("spe render: a prompt becomes a WAV of the score's length", "[integration]") {
  if (!spe_or_skip()) return;
  if (playback::find_soundfont("").empty()) {
    WARN("SKIPPED: " << playback::missing_soundfont_message());
    return;
  }
  const fs::path in = test::source_dir() / "resources/prompts/groove_shuffle.mid";
  const fs::path out = test::scratch_dir("cli_render") / "groove.wav";
  const auto run = test::run_spe_cli("render " + test::shell_quote(in) + " -o " + test::shell_quote(out) +
                                         " --sample-rate 22050",
                                     {.separate_stderr = true});
  INFO(run.output << run.error);
  REQUIRE(run.status == 0);
  CHECK(run.output.find(out.string()) != std::string::npos);
  CHECK(run.output.find('\n') == run.output.size() - 1);  // one line
  const test::Wav wav = test::read_wav(out);
  CHECK(wav.sample_rate == 22050);
  CHECK(wav.seconds() == Approx(playback::score_duration_seconds(music::read_score(in)) + 2.0).margin(0.5));
  CHECK(test::rms(wav.mono) > 0.005);
}

TEST_CASE("spe render: a file that is not MIDI is one line naming it, exit status 2") {
  if (!spe_or_skip()) return;
  const fs::path dir = test::scratch_dir("cli_render_bad");
  const fs::path bad = dir / "not-midi.mid";
  std::ofstream(bad) << "this is not a MIDI file\n";
  const auto run = test::run_spe_cli("render " + test::shell_quote(bad) + " -o " + test::shell_quote(dir / "x.wav"),
                                     {.separate_stderr = true});
  CHECK(run.status == 2);
  INFO(run.error);
  CHECK(run.error.find("not-midi.mid") != std::string::npos);
  CHECK(run.error.find('\n') == run.error.size() - 1);
  CHECK_FALSE(fs::exists(dir / "x.wav"));

  const auto no_sf = test::run_spe_cli("render " + test::shell_quote(test::source_dir() / "resources/prompts/pop909_001.mid") +
                                           " -o " + test::shell_quote(dir / "y.wav") + " --soundfont " +
                                           test::shell_quote(dir / "missing.sf2"),
                                       {.separate_stderr = true});
  CHECK(no_sf.status == 2);
  CHECK(no_sf.error.find("missing.sf2") != std::string::npos);
}
