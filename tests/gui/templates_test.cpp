// The Positional templates dock with the real engine and the bundled models (issue #11, paper Fig. 7): for
// pop-sine and pop-conv the chart reaches at least 4 × the training length and plots exactly what the engine
// computes for the chosen layer and head; for pop-ape the dot-product heatmap has one pixel per sampled
// position pair, coloured from the engine's values, which are those of the sinusoidal encoding.
#include <QDockWidget>
#include <QFile>
#include <QLineSeries>
#include <QValueAxis>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "generation_controller.hpp"
#include "heat_image_check.hpp"
#include "model_panel.hpp"
#include "plot/colormap.hpp"
#include "studio_fixture.hpp"
#include "templates_view.hpp"

using namespace spe::ui;
namespace fs = std::filesystem;

namespace {

QString bundled_model(MainWindow& window, const std::string& folder) {
  for (const ModelDescription& m : window.modelPanel()->models())
    if (fs::path(m.path).filename() == folder) return QString::fromStdString(m.path);
  FAIL("no bundled model " << folder);
  return {};
}

// Waits for templates of `layer`.
bool wait_templates(PositionalTemplatesView& view, int layer, int timeout_ms = 120000) {
  return spe::test::process_events_until(
      [&] { return !view.isComputing() && view.hasTemplates() && view.templates().layer == layer; },
      timeout_ms);
}

// Leaves the window as a test process's next test expects it (the settings outlive the window): the
// default model loaded, the curves in front.
void restore_defaults(MainWindow& window) {
  REQUIRE(window.loadModel(bundled_model(window, "pop-sine")));
  window.findChild<QDockWidget*>(QStringLiteral("curvesDock"))->raise();
  QCoreApplication::processEvents();
}

// The dock as the user sees it (docs/results/attention/templates-<model>.png are such grabs).
void save_screenshot(MainWindow& window, const fs::path& path) {
  auto* dock = window.findChild<QDockWidget*>(QStringLiteral("templatesDock"));
  window.resizeDocks({dock}, {340}, Qt::Vertical);
  spe::test::process_events_until([] { return false; }, 300);  // let the layout settle and the chart repaint
  CHECK(dock->grab().save(QString::fromStdString(path.string())));
}

// Brings the dock's tab to the front (behind the curves the view computes nothing).
void show_templates_dock(MainWindow& window) {
  auto* dock = window.findChild<QDockWidget*>(QStringLiteral("templatesDock"));
  REQUIRE(dock);
  dock->raise();
  REQUIRE(spe::test::process_events_until([&] { return window.templatesView()->isActive(); }, 5000));
}

// The chart's series for head `head` equal the engine's own templates at sampled lags.
void check_chart(const PositionalTemplatesView& view, const PositionalTemplates& engine, int head) {
  const PositionalTemplates& shown = view.templates();
  REQUIRE(shown.max_lag == engine.max_lag);
  REQUIRE(shown.heads == engine.heads);
  REQUIRE(shown.dims == engine.dims);
  REQUIRE(view.meanPrescribedSeries()->count() == engine.lags());
  REQUIRE(view.meanEstimatedSeries()->count() == engine.lags());
  double worst = 0.0, scale = 0.0;
  const auto dims = view.shownDims();
  REQUIRE(!dims.empty());
  for (std::int64_t lag = 0; lag < engine.lags(); lag += 37) {
    const auto i = qsizetype(lag);
    CHECK(view.meanPrescribedSeries()->at(i).x() == double(lag));
    auto compare = [&](double plotted, double want) {
      worst = std::max(worst, std::abs(plotted - want));
      scale = std::max(scale, std::abs(want));
    };
    compare(view.meanPrescribedSeries()->at(i).y(), engine.meanPrescribed(head, lag));
    compare(view.meanEstimatedSeries()->at(i).y(), engine.meanEstimated(head, lag));
    for (std::size_t k = 0; k < dims.size(); ++k)
      compare(view.dimSeries(int(k))->at(i).y(), engine.prescribedAt(head, dims[k], lag));
  }
  CHECK(scale > 0.0);
  CHECK(worst <= 1e-6 * scale);
}

}  // namespace

TEST_CASE(
    "the positional templates of sineSPE and convSPE models reach 4x the training length and plot the "
    "engine's kernels",
    "[gui]") {
  MainWindow window;
  spe::test::open_studio(window, 2, {1400, 900});
  show_templates_dock(window);
  PositionalTemplatesView& view = *window.templatesView();
  for (const std::string name : {"pop-sine", "pop-conv"}) {
    INFO(name);
    REQUIRE(window.loadModel(bundled_model(window, name)));
    const auto engine = window.generationController()->sharedEngine();
    const ModelDescription d = engine->description();
    REQUIRE(d.train_len == 512);
    REQUIRE(wait_templates(view, 0));
    const PositionalTemplates& shown = view.templates();
    CHECK(shown.pe == d.pe);
    CHECK(shown.train_len == d.train_len);
    CHECK(shown.max_lag >= 4 * d.train_len);
    CHECK(view.lagAxis()->max() >= double(4 * d.train_len));
    REQUIRE(view.trainingLine()->count() == 2);
    CHECK(view.trainingLine()->at(0).x() == double(d.train_len));
    CHECK(view.statusText().contains(QString::fromStdString(d.name)));
    CHECK(view.statusText().contains(d.pe == "sine" ? QStringLiteral("sineSPE") : QStringLiteral("convSPE")));

    // Layer 1, head 1: the engine's values, computed here independently of the view.
    const PositionalTemplates first = engine->positionalTemplates(0, shown.max_lag);
    check_chart(view, first, 0);

    // Another layer and head: a new computation whose plotted values are that layer's and head's.
    view.setLayer(4);
    view.setHead(2);
    REQUIRE(wait_templates(view, 4));
    CHECK(view.head() == 2);
    const PositionalTemplates fifth = engine->positionalTemplates(4, view.maxLag());
    check_chart(view, fifth, 2);
    // Not the first layer's head 1 again: the gate (and the head's filters) differ.
    double gap = 0.0;
    for (std::int64_t lag = 0; lag < fifth.lags(); ++lag)
      gap = std::max(gap, double(std::abs(fifth.meanPrescribed(2, lag) - first.meanPrescribed(0, lag))));
    CHECK(gap > 1e-3);
    CHECK(view.shownDims().size() == std::size_t(PositionalTemplatesView::kThinDims));
    // One chosen feature dim instead of the evenly spaced ones: redrawn without recomputing.
    view.setFeature(41);
    CHECK_FALSE(view.isComputing());
    REQUIRE(view.shownDims() == std::vector<int>{41});
    check_chart(view, fifth, 2);
    CHECK(view.dimSeries(1)->count() == 0);
    view.setFeature(-1);
    CHECK(view.shownDims().size() == std::size_t(PositionalTemplatesView::kThinDims));

    // Exports: the CSV holds the shown head's values; the PNG is the chart.
    const fs::path dir = spe::test::scratch_dir("templates_export_" + name);
    QString error;
    REQUIRE(view.exportCsv(QString::fromStdString((dir / "t.csv").string()), &error));
    std::ifstream in(dir / "t.csv");
    std::string line;
    std::getline(in, line);
    CHECK(line.find("layer=4 head=2") != std::string::npos);
    std::getline(in, line);
    CHECK(line.rfind("lag,mean_prescribed,mean_estimated,prescribed_d0,estimated_d0", 0) == 0);
    std::int64_t rows = 0;
    double worst = 0.0;
    while (std::getline(in, line)) {
      std::stringstream cells(line);
      std::string cell;
      std::vector<double> v;
      while (std::getline(cells, cell, ',')) v.push_back(std::stod(cell));
      REQUIRE(v.size() == std::size_t(3 + 2 * fifth.dims));
      const auto lag = std::int64_t(v[0]);
      worst = std::max(worst, std::abs(v[1] - fifth.meanPrescribed(2, lag)));
      worst = std::max(worst, std::abs(v[3 + 2 * 7] - fifth.prescribedAt(2, 7, lag)));
      worst = std::max(worst, std::abs(v[4 + 2 * 7] - fifth.estimatedAt(2, 7, lag)));
      ++rows;
    }
    CHECK(rows == fifth.lags());
    CHECK(worst < 1e-5);
    REQUIRE(view.exportPng(QString::fromStdString((dir / "t.png").string()), &error));
    CHECK_FALSE(QImage(QString::fromStdString((dir / "t.png").string())).isNull());
    view.setLayer(0);
    view.setHead(0);
    REQUIRE(wait_templates(view, 0));
    save_screenshot(window, dir / ("templates-" + name + ".png"));
  }
  restore_defaults(window);
}

TEST_CASE("the positional templates of an APE model are the heatmap of its encoding's dot products",
          "[gui]") {
  MainWindow window;
  spe::test::open_studio(window, 2, {1400, 900});
  show_templates_dock(window);
  PositionalTemplatesView& view = *window.templatesView();
  REQUIRE(window.loadModel(bundled_model(window, "pop-ape")));
  const auto engine = window.generationController()->sharedEngine();
  REQUIRE(spe::test::process_events_until(
      [&] { return !view.isComputing() && view.hasTemplates() && view.templates().isApe(); }, 120000));
  const PositionalTemplates& t = view.templates();
  const std::int64_t train_len = engine->description().train_len;
  CHECK(t.ape_positions >= 4 * train_len);
  CHECK(t.ape_size <= 512);
  CHECK(t.ape_size == (t.ape_positions + t.ape_step - 1) / t.ape_step);
  REQUIRE(std::int64_t(t.ape_dot_products.size()) == t.ape_size * t.ape_size);
  const QImage& image = view.apeImage();
  REQUIRE(image.width() == t.ape_size);
  REQUIRE(image.height() == t.ape_size);

  // The engine's values, and those of the sinusoidal encoding: ⟨p_i, p_j⟩ = Σ_k cos(ω_k (i − j)) over the
  // d/2 frequencies ω_k = 10000^(−2k/d) (sin·sin + cos·cos), so the diagonal is d/2 and the matrix Toeplitz.
  const PositionalTemplates engine_t = engine->positionalTemplates(0, t.ape_positions - 1);
  REQUIRE(engine_t.ape_size == t.ape_size);
  constexpr int kModelDims = 256;
  double worst_formula = 0.0;
  int engine_mismatches = 0;
  for (std::int64_t r = 0; r < t.ape_size; r += 23)
    for (std::int64_t c = 0; c < t.ape_size; c += 19) {
      if (engine_t.apeAt(r, c) != t.apeAt(r, c)) ++engine_mismatches;
      double want = 0.0;
      const double lag = double((r - c) * t.ape_step);
      for (int k = 0; k < kModelDims / 2; ++k)
        want += std::cos(std::exp(-2.0 * k * std::log(10000.0) / kModelDims) * lag);
      worst_formula = std::max(worst_formula, std::abs(want - double(t.apeAt(r, c))));
    }
  // The heatmap's colours, on the same sampled cells.
  const auto colours = spe::test::check_heat_image(
      t.ape_size, t.ape_size, [&](std::int64_t r, std::int64_t c) { return double(t.apeAt(r, c)); },
      [&](std::int64_t r, std::int64_t c) {
        const QRgb p = image.pixel(int(c), int(r));
        return spe::plot::Rgb{std::uint8_t(qRed(p)), std::uint8_t(qGreen(p)), std::uint8_t(qBlue(p))};
      },
      23, 19);
  CHECK(engine_mismatches == 0);
  CHECK(colours.mismatches == 0);
  CHECK(worst_formula < 1e-2);
  CHECK(std::abs(t.apeAt(5, 5) - kModelDims / 2.0) < 1e-2);
  // APE has one encoding for every layer: the layer and head controls are off.
  CHECK_FALSE(window.findChild<QWidget*>(QStringLiteral("templatesLayer"))->isEnabled());

  const fs::path dir = spe::test::scratch_dir("templates_export_ape");
  QString error;
  REQUIRE(view.exportPng(QString::fromStdString((dir / "ape.png").string()), &error));
  const QImage exported(QString::fromStdString((dir / "ape.png").string()));
  CHECK(exported.size() == image.size());
  CHECK(exported.pixel(3, 7) == image.pixel(3, 7));
  save_screenshot(window, dir / "templates-pop-ape.png");
  restore_defaults(window);
}

TEST_CASE(
    "the positional templates dock is a tab behind the entropy curves and computes nothing while hidden",
    "[gui]") {
  MainWindow window;
  spe::test::open_studio(window, 2, {1400, 900});
  PositionalTemplatesView& view = *window.templatesView();
  auto* curves = window.findChild<QDockWidget*>(QStringLiteral("curvesDock"));
  auto* templates = window.findChild<QDockWidget*>(QStringLiteral("templatesDock"));
  REQUIRE(curves);
  REQUIRE(templates);
  CHECK(window.tabifiedDockWidgets(curves).contains(templates));
  curves->raise();
  REQUIRE(spe::test::process_events_until([&] { return !view.isActive() && !view.isComputing(); }, 60000));
  // A model loaded while the tab is hidden computes nothing until the tab is shown.
  REQUIRE(window.loadModel(bundled_model(window, "pop-conv")));
  QCoreApplication::processEvents();
  CHECK_FALSE(view.isComputing());
  CHECK_FALSE(view.hasTemplates());
  show_templates_dock(window);
  CHECK(view.isComputing());
  REQUIRE(wait_templates(view, 0));
  CHECK(view.templates().pe == "conv");
  restore_defaults(window);
}
