// The insight views with the real engine and bundled models: the attention heatmap of a generated take
// past the training length equals what the engine computes for that take, clicking a note follows its
// token, clicking a cell highlights the attended notes, exports round-trip, and the entropy / −log p
// curves hold one point per generated token, live and after the take.
#include <QFile>
#include <QLineSeries>
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "attention_heatmap.hpp"
#include "attention_view.hpp"
#include "generation_panel.hpp"
#include "model_panel.hpp"
#include "piano_roll_view.hpp"
#include "plot/colormap.hpp"
#include "studio_engine.hpp"
#include "studio_fixture.hpp"
#include "take.hpp"
#include "take_curves_view.hpp"
#include "takes_panel.hpp"

using namespace spe::ui;
namespace fs = std::filesystem;

namespace {

bool wait_map(AttentionView& view, int timeout_ms = 60000) {
  return spe::test::process_events_until([&] { return !view.isComputing() && view.heatmap()->hasMap(); }, timeout_ms);
}

// A take of pop-sine (training length 512) that runs well past it: 4 prompt bars + 640 tokens.
const Take& generate_long_take(MainWindow& window) {
  spe::test::open_studio(window, 4, {1400, 900});
  window.generationPanel()->setLength(LengthUnit::Tokens, 640);
  window.generationPanel()->setSeed(11);
  REQUIRE(window.generate());
  REQUIRE(spe::test::wait_idle(window));
  const Take& take = window.takesPanel()->takes().back();
  REQUIRE(take.trace);
  REQUIRE(std::int64_t(take.trace->size()) > take.trace->train_len + 64);
  return take;
}

std::vector<std::vector<double>> read_csv(const fs::path& path, std::string* header) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  if (header) *header = line;
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    std::vector<double> row;
    std::stringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) row.push_back(std::stod(cell));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

TEST_CASE("the attention heatmap of a take past the training length is the engine's attention for that take", "[gui]") {
  MainWindow window;
  const Take& take = generate_long_take(window);
  const TokenTrace& trace = *take.trace;
  AttentionView& view = *window.attentionView();
  // The view opens around the training length, mean over heads, 512 tokens.
  REQUIRE(wait_map(view));
  const AttentionMap& shown = view.heatmap()->map();
  CHECK(shown.size() == 512);
  CHECK(shown.head == -1);
  CHECK(shown.begin < trace.train_len);
  CHECK(shown.end > trace.train_len);
  CHECK(view.statusText().contains(QStringLiteral("training length")));

  // A window wholly past the training length, one head of the last layer.
  const int layers = window.generationController()->engine().description().layers;
  REQUIRE(layers > 1);
  view.setLayer(layers - 1);
  view.setHead(1);
  view.setWindow(std::int64_t(trace.size()) - 128, 128);
  REQUIRE(spe::test::process_events_until([&] {
    return !view.isComputing() && view.heatmap()->map().head == 1 && view.heatmap()->map().size() == 128;
  }, 60000));
  const AttentionMap map = view.heatmap()->map();
  CHECK(map.layer == layers - 1);
  CHECK(map.begin >= trace.train_len);

  // The same cells straight from the engine (an independent call with the take's tokens and seed).
  const AttentionMap direct = window.generationController()->engine().attention(trace, map.layer, 1, map.begin, map.end);
  REQUIRE(direct.weights.size() == map.weights.size());
  for (std::int64_t r = 0; r < map.size(); r += 9)
    for (std::int64_t c = 0; c <= r; c += 5) CHECK(map.at(r, c) == Approx(direct.at(r, c)).margin(1e-6));
  // Causal rows of probabilities.
  for (std::int64_t r = 0; r < map.size(); r += 13) {
    double sum = 0;
    for (std::int64_t c = 0; c < map.size(); ++c) {
      if (c > r) CHECK(map.at(r, c) == 0.0f);
      sum += map.at(r, c);
    }
    CHECK(sum == Approx(1.0).margin(1e-5));
  }
  // The image the widget draws is the colour map of these cells, one pixel each (as `spe attention` writes).
  const QImage& image = view.heatmap()->image();
  REQUIRE(image.width() == 128);
  const auto expected = spe::plot::attention_image(map.weights, map.size());
  for (int r = 0; r < 128; r += 7)
    for (int c = 0; c < 128; c += 11) {
      const auto px = expected[std::size_t(r * 128 + c)];
      CHECK(image.pixel(c, r) == qRgb(px.r, px.g, px.b));
    }
  // The tooltip names both tokens with their bars and the weight.
  const QString tip = view.heatmap()->describeCell(map.begin + 40, map.begin + 3);
  CHECK(tip.contains(QStringLiteral("query #%1").arg(map.begin + 40)));
  CHECK(tip.contains(QStringLiteral("bar %1").arg(trace.bar[std::size_t(map.begin + 40)] + 1)));
  CHECK(tip.contains(QStringLiteral("attention")));

  // Export CSV / PNG: the CSV holds the cells, the PNG the pixels.
  const fs::path csv = spe::test::gui_scratch() / "attention_view.csv";
  const fs::path png = spe::test::gui_scratch() / "attention_view.png";
  REQUIRE(view.exportCsv(QString::fromStdString(csv.string())));
  REQUIRE(view.exportPng(QString::fromStdString(png.string())));
  std::string header;
  const auto rows = read_csv(csv, &header);
  CHECK(header.find("layer=" + std::to_string(map.layer) + " head=1") != std::string::npos);
  REQUIRE(rows.size() == 128);
  CHECK(rows[100][50] == Approx(map.at(100, 50)).epsilon(1e-6));
  CHECK(QImage(QString::fromStdString(png.string())) == image.convertToFormat(QImage::Format_RGB32));
  spe::test::grab_and_save(window, "insight_attention.png");
}

TEST_CASE("clicking a note follows its token in the heatmap, and a selected row highlights the attended notes", "[gui]") {
  MainWindow window;
  const Take& take = generate_long_take(window);
  const TokenTrace& trace = *take.trace;
  AttentionView& view = *window.attentionView();
  REQUIRE(wait_map(view));
  PianoRollView& roll = *window.pianoRoll();

  // A generated note past the training length, clicked in the roll.
  const spe::music::Note* target = nullptr;
  int track = -1;
  std::int64_t token = -1;
  for (int t = 0; t < int(take.score.tracks.size()) && !target; ++t)
    for (const auto& n : take.score.tracks[std::size_t(t)].notes) {
      const auto i = trace.tokenOfNote(t, n.start, n.pitch);
      if (!n.from_prompt && i > trace.train_len + 20) {
        target = &n, track = t, token = i;
        break;
      }
    }
  REQUIRE(target);
  const auto ref = roll.findNote({track, target->start, target->pitch});
  REQUIRE(ref);
  roll.scrollToTick(std::max<spe::music::Tick>(0, target->start - 480));
  roll.centerOnPitch(target->pitch);
  QApplication::processEvents();
  const QRect rect = roll.noteRect(*ref);
  REQUIRE(roll.noteArea().contains(rect.center()));
  spe::test::left_click(roll.viewport(), rect.center());
  REQUIRE(spe::test::process_events_until([&] { return !view.isComputing() && view.heatmap()->selectedToken() == token; }, 60000));
  const AttentionMap& map = view.heatmap()->map();
  CHECK(map.begin <= token);
  CHECK(map.end > token);
  REQUIRE(roll.focusNote());
  CHECK(*roll.focusNote() == (NoteKey{track, target->start, target->pitch}));
  // The strongest keys of that row are notes of the take, framed in the roll.
  CHECK_FALSE(roll.attendedNotes().empty());
  for (const auto& key : roll.attendedNotes()) CHECK(roll.findNote(key).has_value());

  // A click on a cell of another row selects that row (a 64-token window: cells of several pixels).
  view.setWindow(token - 32, 64);
  REQUIRE(spe::test::process_events_until([&] { return !view.isComputing() && view.heatmap()->map().size() == 64; }, 60000));
  const AttentionMap& small = view.heatmap()->map();
  REQUIRE(view.heatmap()->cellArea().width() / 64 >= 2.0);
  const std::int64_t other = small.begin + 40;
  const QPointF at = view.heatmap()->cellCentre(other, small.begin + 2);
  spe::test::left_click(view.heatmap(), at.toPoint());
  CHECK(view.heatmap()->selectedToken() == other);
  const auto keys = view.strongestKeys(other, 8);
  REQUIRE(keys.size() == 8);
  for (int i = 1; i < keys.size(); ++i)
    CHECK(small.at(other - small.begin, keys[i - 1] - small.begin) >= small.at(other - small.begin, keys[i] - small.begin));
  for (qint64 k : keys) CHECK(k <= other);  // causal: only earlier tokens
  spe::test::grab_and_save(window, "insight_note_focus.png");
}

TEST_CASE("the entropy and −log p curves hold one point per generated token, live and after the take", "[gui]") {
  MainWindow window;
  spe::test::open_studio(window, 4, {1400, 900});
  TakeCurvesView& curves = *window.curvesView();
  window.generationPanel()->setLength(LengthUnit::Tokens, 300);
  window.generationPanel()->setSeed(5);
  REQUIRE(window.generate());
  // Points arrive while the take streams in.
  const bool live = spe::test::process_events_until(
      [&] { return !curves.positions().empty() || !window.generationController()->isRunning(); }, 60000);
  REQUIRE(live);
  const bool seen_while_running = window.generationController()->isRunning() && !curves.positions().empty();
  REQUIRE(spe::test::wait_idle(window));
  const Take& take = window.takesPanel()->takes().back();
  REQUIRE(take.trace);
  const TokenTrace& trace = *take.trace;
  const std::size_t generated = trace.size() - trace.prompt_length;
  CHECK(generated >= 300);
  // After the take: the trace's values, one point per generated token, at its position.
  CHECK(curves.entropySeries()->count() == qsizetype(generated));
  CHECK(curves.lossSeries()->count() == qsizetype(generated));
  REQUIRE(curves.positions().size() == generated);
  CHECK(curves.positions().front() == double(trace.prompt_length));
  CHECK(curves.positions().back() == double(trace.size() - 1));
  for (std::size_t k = 0; k < generated; k += 17) {
    CHECK(curves.entropy()[k] == Approx(trace.entropy[k]));
    CHECK(curves.loss()[k] == Approx(-trace.log_prob[k]));
    // Entropy is between 0 and log |V|; a sampled token's −log p is non-negative.
    CHECK(curves.entropy()[k] >= -1e-6);
    CHECK(curves.entropy()[k] <= std::log(double(trace.vocabulary.size())) + 1e-4);
    CHECK(curves.loss()[k] >= -1e-6);
  }
  CHECK(curves.trainLength() == trace.train_len);
  REQUIRE(curves.trainingLine()->count() == 2);
  CHECK(curves.trainingLine()->at(0).x() == double(trace.train_len));
  if (!seen_while_running) WARN("the take finished before the first live update was observed");
  // The CSV has the same points.
  const fs::path csv = spe::test::gui_scratch() / "curves.csv";
  REQUIRE(curves.exportCsv(QString::fromStdString(csv.string())));
  std::string header;
  const auto rows = read_csv(csv, &header);
  CHECK(header == "position,entropy_nats,neg_log_prob_nats");
  REQUIRE(rows.size() == generated);
  CHECK(rows[3][1] == Approx(trace.entropy[3]));
}

TEST_CASE("the attention of a take made by another model asks for that model instead of showing a wrong map", "[gui]") {
  MainWindow window;
  spe::test::open_studio(window, 2, {1400, 900});
  window.generationPanel()->setLength(LengthUnit::Tokens, 64);
  window.generationPanel()->setSeed(3);
  REQUIRE(window.generate());
  REQUIRE(spe::test::wait_idle(window));
  AttentionView& view = *window.attentionView();
  REQUIRE(wait_map(view));
  const QString take_id = window.takesPanel()->currentId();
  const auto models = window.modelPanel()->models();
  const auto other = std::find_if(models.begin(), models.end(), [&](const auto& m) {
    return QString::fromStdString(m.path) != window.loadedModelPath() && m.scheme == "remi";
  });
  REQUIRE(other != models.end());
  REQUIRE(window.loadModel(QString::fromStdString(other->path)));
  window.takesPanel()->select(take_id);
  spe::test::process_events_until([&] { return !view.isComputing(); }, 20000);
  CHECK_FALSE(view.heatmap()->hasMap());
  CHECK(view.statusText().contains(QStringLiteral("load that model")));
}
