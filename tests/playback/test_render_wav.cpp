// render_wav through FluidSynth's file renderer: a valid WAV, audible, of the right length, with note onsets
// where the MIDI puts them; cancellation and errors.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "music/score_midi.hpp"
#include "music/tempo_map.hpp"
#include "playback/render_wav.hpp"
#include "playback/schedule.hpp"
#include "playback/soundfont.hpp"
#include "test_paths.hpp"
#include "wav_file.hpp"

using namespace spe;
namespace fs = std::filesystem;

namespace {

// The soundfont, or "" after a visible skip message.
std::string soundfont_or_skip() {
  const std::string sf = playback::find_soundfont("");
  if (sf.empty()) WARN("SKIPPED: no soundfont installed: " << playback::missing_soundfont_message());
  return sf;
}

bool leftover_temp_files(const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().find(".tmp-") != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("render_wav: sparse notes give energy onsets at the MIDI note onsets", "[integration]") {
  const std::string sf = soundfont_or_skip();
  if (sf.empty()) return;
  // Piano notes 0.75 s apart (a tempo change in between), each 0.2 s long: the sound decays between them.
  music::Score score;
  score.tempos = {{0, 120.0}, {1920, 90.0}};
  music::Track piano;
  piano.program = 0;
  for (music::Tick start : {240, 960, 1680, 2400, 3120})
    piano.notes.push_back({start, start + 192, 60 + static_cast<int>(start % 12), 100});
  score.tracks.push_back(piano);
  const fs::path dir = test::scratch_dir("render_sparse");
  const fs::path out = dir / "sparse.wav";
  playback::RenderOptions options;
  options.soundfont = sf;
  playback::render_wav(score, out, options);
  REQUIRE(fs::exists(out));
  CHECK_FALSE(leftover_temp_files(dir));
  const test::Wav wav = test::read_wav(out);
  CHECK(wav.channels == 2);
  CHECK(wav.sample_rate == 44100);
  CHECK(wav.seconds() == Approx(playback::score_duration_seconds(score) + options.tail_seconds).margin(0.5));

  const music::TempoMap map(score);
  std::vector<double> expected;
  for (const auto& n : score.tracks[0].notes) expected.push_back(map.seconds_at(n.start));
  const auto onsets = test::energy_onsets(wav);
  INFO("onsets found: " << onsets.size());
  REQUIRE(onsets.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("note " << i << ": MIDI " << expected[i] << " s, audio " << onsets[i] << " s");
    CHECK(std::abs(onsets[i] - expected[i]) <= 0.030);
  }
}

TEST_CASE("render_wav: the first bars of a real song are a loud-enough WAV of the song's length", "[integration]") {
  const std::string sf = soundfont_or_skip();
  if (sf.empty()) return;
  music::Score score = music::read_score(test::source_dir() / "resources/prompts/pop909_001.mid");
  // The first 8 seconds keep the test short.
  const music::TempoMap map(score);
  const music::Tick cut = map.tick_at_seconds(8.0);
  for (auto& t : score.tracks) std::erase_if(t.notes, [&](const music::Note& n) { return n.start >= cut; });
  score.markers.clear();
  score.chords.clear();
  std::erase_if(score.tempos, [&](const music::TempoChange& t) { return t.tick > cut; });
  std::erase_if(score.time_signatures, [&](const music::TimeSignature& t) { return t.tick > cut; });
  std::erase_if(score.key_signatures, [&](const music::KeySignature& t) { return t.tick > cut; });
  REQUIRE(score.note_count() > 20);

  const fs::path dir = test::scratch_dir("render_pop909");
  const fs::path out = dir / "pop909_001.wav";
  playback::RenderOptions options;
  options.soundfont = sf;
  options.sample_rate = 22050;  // half the work; timing is the same
  std::vector<double> fractions;
  playback::render_wav(score, out, options, [&](double f) {
    fractions.push_back(f);
    return true;
  });
  const test::Wav wav = test::read_wav(out);
  CHECK(wav.sample_rate == 22050);
  const double expected = playback::score_duration_seconds(score) + options.tail_seconds;
  CHECK(wav.seconds() == Approx(expected).margin(0.5));
  // Silence is 0; FluidSynth's default gain (0.2) gives ≈ −41 dBFS. At our gain of 0.8 (+12 dB) a piano
  // song should be well above −40 dBFS = 0.01: a floor that a quiet or broken render would miss.
  const double level = test::rms(wav.mono);
  INFO("RMS " << level << " = " << 20 * std::log10(level) << " dBFS");
  CHECK(level > 0.01);
  CHECK(level < 0.5);  // not clipping all over
  REQUIRE(!fractions.empty());
  CHECK(fractions.front() == 0.0);
  CHECK(fractions.back() == 1.0);
  CHECK(std::is_sorted(fractions.begin(), fractions.end()));
}

TEST_CASE("render_wav: cancelling removes the temporary file and leaves no output", "[integration]") {
  const std::string sf = soundfont_or_skip();
  if (sf.empty()) return;
  music::Score score;
  music::Track piano;
  piano.notes = {{0, 9600, 60, 90}};  // 10 s
  score.tracks.push_back(piano);
  const fs::path dir = test::scratch_dir("render_cancel");
  playback::RenderOptions options;
  options.soundfont = sf;
  int calls = 0;
  playback::render_wav(score, dir / "cancelled.wav", options, [&](double f) {
    ++calls;
    return f < 0.1;
  });
  CHECK(calls > 1);
  CHECK_FALSE(fs::exists(dir / "cancelled.wav"));
  CHECK_FALSE(leftover_temp_files(dir));
}

TEST_CASE("render_wav: errors are one line naming the file") {
  music::Score score;
  music::Track piano;
  piano.notes = {{0, 480, 60, 90}};
  score.tracks.push_back(piano);
  const fs::path dir = test::scratch_dir("render_errors");
  playback::RenderOptions options;

  SECTION("a soundfont that does not load") {
    const fs::path bad = dir / "not-a-soundfont.sf2";
    std::ofstream(bad) << "hello";
    options.soundfont = bad.string();
    try {
      playback::render_wav(score, dir / "x.wav", options);
      FAIL("no exception");
    } catch (const std::runtime_error& e) {
      const std::string what = e.what();
      CHECK(what.find('\n') == std::string::npos);
      CHECK(what.find("x.wav") != std::string::npos);
      CHECK(what.find("not-a-soundfont.sf2") != std::string::npos);
    }
    CHECK_FALSE(fs::exists(dir / "x.wav"));
    CHECK_FALSE(leftover_temp_files(dir));
  }
  SECTION("an output folder that does not exist") {
    const std::string sf = soundfont_or_skip();
    if (sf.empty()) return;
    options.soundfont = sf;
    const fs::path out = dir / "no-such-folder" / "y.wav";
    try {
      playback::render_wav(score, out, options);
      FAIL("no exception");
    } catch (const std::runtime_error& e) {
      const std::string what = e.what();
      CHECK(what.find('\n') == std::string::npos);
      CHECK(what.find(out.string()) != std::string::npos);
    }
  }
  SECTION("the missing-soundfont message names the Debian packages") {
    const std::string message = playback::missing_soundfont_message();
    CHECK(message.find('\n') == std::string::npos);
    CHECK(message.find("fluid-soundfont-gm") != std::string::npos);
    CHECK(message.find("timgm6mb-soundfont") != std::string::npos);
  }
}

TEST_CASE("find_soundfont: the user's readable file, else the system default") {
  const fs::path dir = test::scratch_dir("find_soundfont");
  const fs::path mine = dir / "mine.sf2";
  std::ofstream(mine) << "RIFF";
  CHECK(playback::find_soundfont(mine.string()) == mine.string());
  const std::string fallback = playback::find_soundfont((dir / "missing.sf2").string());
  CHECK(fallback == playback::find_soundfont(""));
  if (!fallback.empty()) CHECK(fs::path(fallback).parent_path() == "/usr/share/sounds/sf2");
}
