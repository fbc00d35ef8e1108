#include <catch2/catch.hpp>

#include "gui_test_support.hpp"
#include "prompt_panel.hpp"

using spe::music::Score;
using spe::music::Track;
using namespace spe::ui;

TEST_CASE("tempo and metre summaries describe the whole score", "[gui]") {
  Score score;
  CHECK(tempo_summary(score) == QStringLiteral("120 BPM"));
  CHECK(metre_summary(score) == QStringLiteral("4/4"));
  score.tempos = {{0, 91.6}, {1920, 128.2}, {3840, 92.0}};
  CHECK(tempo_summary(score) == QStringLiteral("92–128 BPM"));
  score.tempos = {{0, 100.2}, {960, 99.8}};
  CHECK(tempo_summary(score) == QStringLiteral("100 BPM"));
  score.time_signatures = {{0, 3, 4}, {1440, 6, 8}, {2880, 3, 4}};
  CHECK(metre_summary(score) == QStringLiteral("3/4, 6/8"));
  score.time_signatures = {{1920, 3, 4}};  // before the first signature the file is in 4/4
  CHECK(metre_summary(score) == QStringLiteral("4/4, 3/4"));
  CHECK(gm_program_name(0) == QStringLiteral("Acoustic Grand Piano"));
  CHECK(gm_program_name(33) == QStringLiteral("Electric Bass (finger)"));
  CHECK(gm_program_name(127) == QStringLiteral("Gunshot"));
}

TEST_CASE("the prompt panel lists tracks and clamps prompt bars to the score", "[gui]") {
  Score score;
  Track bass;
  bass.program = 33;  // unnamed: shown by its instrument
  bass.notes.push_back({0, 3 * 1920, 40, 90});
  Track drums;
  drums.name = "Kit";
  drums.is_drum = true;
  drums.notes.push_back({0, 60, 36, 100});
  score.tracks = {bass, drums};

  PromptPanel panel;
  int signalled = -1, signals = 0;
  QObject::connect(&panel, &PromptPanel::promptBarsChanged, [&](int bars) {
    signalled = bars;
    ++signals;
  });
  panel.setScore(QStringLiteral("riff.mid"), score);
  CHECK(panel.fileNameText() == QStringLiteral("riff.mid"));
  CHECK(panel.tracksText() == QStringLiteral("2 (1 drums)"));
  CHECK(panel.barsText() == QStringLiteral("3"));
  CHECK(panel.trackListCount() == 2);
  CHECK(panel.promptBars() == 3);  // default min(8, bars)
  CHECK(signals == 1);
  CHECK(signalled == 3);
  panel.setPromptBars(99);
  CHECK(panel.promptBars() == 3);
  panel.setPromptBars(0);
  CHECK(signalled == 0);
  panel.clear();
  CHECK(panel.trackListCount() == 0);
  CHECK(panel.barsText() == QStringLiteral("—"));
  panel.resize(260, 420);
  spe::test::grab_and_save(panel, "prompt_panel.png");
}
