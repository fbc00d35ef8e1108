// The Compare window with the real bundled models: APE and sineSPE from the same prompt and seed, side by
// side past the training length, each roll with its model's marker and its take, the curves with one point
// per generated token, the takes kept in the main window and playable from the comparison.
#include <QImage>
#include <QLineSeries>
#include <QPushButton>
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <string>
#include <nlohmann/json.hpp>

#include "compare_view.hpp"
#include "generation_panel.hpp"
#include "model_panel.hpp"
#include "piano_roll_view.hpp"
#include "studio_fixture.hpp"
#include "take.hpp"
#include "takes_panel.hpp"

using namespace spe::ui;

namespace {

QString model_folder(MainWindow& window, const std::string& name) {
  for (const auto& m : window.modelPanel()->models())
    if (m.name == name) return QString::fromStdString(m.path);
  FAIL("bundled model " << name << " not found");
  return {};
}

}  // namespace

TEST_CASE("compare: APE and sineSPE from one prompt and seed, side by side past the training length", "[gui]") {
  MainWindow window;
  spe::test::open_studio(window, 8, {1400, 900});
  window.generationPanel()->setLength(LengthUnit::Tokens, 300);
  window.generationPanel()->setSeed(21);
  CompareView* compare = window.openCompare();
  REQUIRE(compare);
  CHECK(compare->isVisible());
  CHECK(compare->request().seed == 21);
  CHECK(compare->request().prompt_bars == 8);

  // One model, or six, is refused in one line.
  CHECK_FALSE(compare->start({model_folder(window, "pop-ape")}));
  CHECK(compare->lastError().contains(QStringLiteral("2 to 5")));

  const int takes_before = window.takesPanel()->count();
  REQUIRE(compare->start({model_folder(window, "pop-ape"), model_folder(window, "pop-sine")}));
  CHECK(compare->isRunning());
  REQUIRE(spe::test::process_events_until([&] { return !compare->isRunning(); }, 240000));
  REQUIRE(compare->laneCount() == 2);
  CHECK(compare->laneModelName(0) == QStringLiteral("pop-ape"));
  CHECK(compare->laneModelName(1) == QStringLiteral("pop-sine"));

  for (int lane = 0; lane < 2; ++lane) {
    INFO("lane " << lane);
    const GeneratedTake* take = compare->laneTake(lane);
    REQUIRE(take);
    REQUIRE(take->trace);
    // Same prompt and seed in both recipes; the take runs past the model's training length.
    const auto recipe = nlohmann::json::parse(take->recipe);
    CHECK(recipe["seed"] == 21);
    CHECK(recipe["prompt"]["bars"] == 8);
    CHECK(std::int64_t(take->trace->size()) > take->trace->train_len);
    // The lane's roll shows that take, with the training marker and the prompt region.
    PianoRollView* roll = compare->laneRoll(lane);
    CHECK(roll->score().note_count() == take->score.note_count());
    CHECK(take->training_end > take->prompt_end);
    CHECK(roll->trainingMarkerTick() == take->training_end);
    CHECK(roll->promptEndTick() == take->prompt_end);
    // Curves: one point per generated token.
    const auto generated = qsizetype(take->trace->size() - take->trace->prompt_length);
    CHECK(compare->lossSeries(lane)->count() == generated);
    CHECK(compare->entropySeries(lane)->count() == generated);
    CHECK(compare->lanePlayButton(lane)->isEnabled());
  }
  // Same prompt: the two takes begin with the same prompt notes.
  CHECK(compare->laneTake(0)->prompt_end == compare->laneTake(1)->prompt_end);
  // A shared time axis: zooming one roll zooms the other.
  compare->laneRoll(0)->setPixelsPerBeat(31.0);
  CHECK(compare->laneRoll(1)->pixelsPerBeat() == Approx(31.0));

  // Both takes joined the main window's takes; Play selects the lane's take there.
  REQUIRE(window.takesPanel()->count() == takes_before + 2);
  // The lanes run in parallel, so they join in the order they finish: compare the last two as a set.
  const auto& all = window.takesPanel()->takes();
  const Take& last = all[all.size() - 1];
  const Take& second_last = all[all.size() - 2];
  CHECK(std::set<QString>{last.model_name, second_last.model_name} ==
        std::set<QString>{QStringLiteral("pop-ape"), QStringLiteral("pop-sine")});
  CHECK(last.engine_session.empty());
  CHECK(second_last.engine_session.empty());
  compare->lanePlayButton(0)->click();
  const Take* shown = window.takesPanel()->take(window.takesPanel()->currentId());
  REQUIRE(shown);
  CHECK(shown->model_name == QStringLiteral("pop-ape"));
  CHECK(window.pianoRoll()->score().note_count() == shown->score.note_count());
  // Export: every lane's per-token values, and the window as an image.
  const auto csv = spe::test::gui_scratch() / "compare.csv";
  const auto png = spe::test::gui_scratch() / "compare_export.png";
  REQUIRE(compare->exportCsv(QString::fromStdString(csv.string())));
  REQUIRE(compare->exportPng(QString::fromStdString(png.string())));
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  CHECK(line == "lane,model,position,entropy_nats,neg_log_prob_nats");
  std::size_t rows = 0, lane1 = 0;
  while (std::getline(in, line)) {
    ++rows;
    lane1 += line.rfind("1,pop-sine,", 0) == 0;
  }
  const auto expected = [&](int lane) { return compare->laneTake(lane)->trace->size() - compare->laneTake(lane)->trace->prompt_length; };
  CHECK(rows == expected(0) + expected(1));
  CHECK(lane1 == expected(1));
  CHECK_FALSE(QImage(QString::fromStdString(png.string())).isNull());
  spe::test::grab_and_save(*compare, "compare_ape_sine.png");
}
