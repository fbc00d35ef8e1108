// MainWindow: the insight docks (Attention, Entropy / −log p, Loss vs position, Positional templates), their
// links to the piano roll, and the Compare models window.
#include <QAction>
#include <QDockWidget>
#include <QMenu>
#include <QMenuBar>
#include <QScrollArea>
#include <QStatusBar>
#include <algorithm>
#include <optional>

#include "attention_view.hpp"
#include "compare_view.hpp"
#include "evaluation_view.hpp"
#include "generation_controller.hpp"
#include "generation_panel.hpp"
#include "main_window.hpp"
#include "model_panel.hpp"
#include "piano_roll_view.hpp"
#include "take.hpp"
#include "take_curves_view.hpp"
#include "takes_panel.hpp"
#include "templates_view.hpp"
#include "transport_bar.hpp"

namespace spe::ui {
namespace {

// The note a token belongs to: the note it starts, or the one started just before it at the same onset
// (REMI writes Pitch, Velocity, Duration: attention to any of the three is attention to that note).
std::optional<NoteKey> note_of_token(const TokenTrace& trace, std::int64_t position) {
  constexpr std::int64_t kNoteTokens = 3;
  for (std::int64_t i = position; i >= 0 && i > position - kNoteTokens; --i) {
    const auto k = std::size_t(i);
    if (k >= trace.size()) return std::nullopt;
    if (trace.note_pitch[k] >= 0) {
      if (trace.tick[k] != trace.tick[std::size_t(position)]) return std::nullopt;
      return NoteKey{trace.note_track[k], trace.tick[k], trace.note_pitch[k]};
    }
  }
  return std::nullopt;
}

}  // namespace

void MainWindow::createInsightDocks() {
  auto dock = [this](const QString& title, const QString& name, QWidget* widget) {
    auto* d = new QDockWidget(title, this);
    d->setObjectName(name);
    // In a scroll area, so the docks never force a taller window than the roll needs.
    auto* scroll = new QScrollArea(d);
    scroll->setWidget(widget);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setMinimumSize(120, 40);  // below a scroll area's own minimum hint: small screens, tabbed docks
    d->setWidget(scroll);
    d->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::BottomDockWidgetArea, d);
    menuBar()->findChild<QMenu*>(QStringLiteral("viewMenu"))->addAction(d->toggleViewAction());
    return d;
  };
  attention_view_ = new AttentionView(this);
  curves_view_ = new TakeCurvesView(this);
  QDockWidget* attention = dock(tr("Attention"), QStringLiteral("attentionDock"), attention_view_);
  QDockWidget* curves = dock(tr("Entropy / −log p"), QStringLiteral("curvesDock"), curves_view_);
  // Side by side under the roll: the square heatmap with its controls, then the curves.
  splitDockWidget(attention, curves, Qt::Horizontal);
  // Loss vs position on a folder of songs (paper Table 6 / Fig. 3) shares the curves' place; curves in front.
  evaluation_view_ = new EvaluationView(this);
  QDockWidget* evaluation = dock(tr("Loss vs position"), QStringLiteral("evaluationDock"), evaluation_view_);
  tabifyDockWidget(curves, evaluation);
  curves->raise();
  connect(evaluation_view_, &EvaluationView::errorOccurred, this, [this](const QString& m) { statusBar()->showMessage(m); });
  // The model's positional templates (paper Fig. 7) share the curves' place; the curves stay in front.
  templates_view_ = new PositionalTemplatesView(this);
  QDockWidget* templates = dock(tr("Positional templates"), QStringLiteral("templatesDock"), templates_view_);
  tabifyDockWidget(curves, templates);
  curves->raise();
  // Templates are computed only while their tab is in front (a model load costs nothing otherwise).
  templates_view_->setActive(false);
  connect(templates, &QDockWidget::visibilityChanged, templates_view_, &PositionalTemplatesView::setActive);

  QAction* compare = generate_menu_->addAction(tr("&Compare models…"), QKeySequence(tr("Ctrl+Shift+G")), this,
                                               [this] { openCompare(); });
  compare->setObjectName(QStringLiteral("compareAction"));
  compare->setToolTip(tr("The same prompt and seed through 2–5 models side by side (APE against SPE)"));

  connect(piano_roll_, &PianoRollView::noteClicked, this, &MainWindow::focusNote);
  connect(attention_view_, &AttentionView::attendedTokens, this, &MainWindow::highlightAttention);
  connect(attention_view_, &AttentionView::errorOccurred, this, [this](const QString& m) { statusBar()->showMessage(m); });
  connect(curves_view_, &TakeCurvesView::errorOccurred, this, [this](const QString& m) { statusBar()->showMessage(m); });
  connect(templates_view_, &PositionalTemplatesView::errorOccurred, this, [this](const QString& m) { statusBar()->showMessage(m); });
}

void MainWindow::sizeInsightDocks() {
  auto* attention = findChild<QDockWidget*>(QStringLiteral("attentionDock"));
  auto* curves = findChild<QDockWidget*>(QStringLiteral("curvesDock"));
  if (!attention || !curves) return;
  resizeDocks({attention, curves}, {width() / 2, width() / 2}, Qt::Horizontal);
  // The roll keeps most of the height; the heatmap gets a readable square.
  resizeDocks({attention}, {std::clamp(height() / 3, 200, 340)}, Qt::Vertical);
}

void MainWindow::wireInsightViews() {
  attention_view_->setEngine(generation_ ? generation_->sharedEngine() : nullptr);
  evaluation_view_->setEngine(generation_ ? generation_->sharedEngine() : nullptr);
  templates_view_->setEngine(generation_ ? generation_->sharedEngine() : nullptr);
  if (!generation_) return;
  connect(generation_, &GenerationController::started, this, [this] {
    curves_view_->beginLive(generation_->engine().description().train_len);
  });
  connect(generation_, &GenerationController::scoresGenerated, curves_view_, &TakeCurvesView::appendScores);
}

void MainWindow::showTakeInsights(const Take* take) {
  const auto trace = take ? take->trace : nullptr;
  attention_view_->setTake(trace);
  curves_view_->setTrace(trace);
}

void MainWindow::focusNote(const NoteKey& note) {
  const Take* take = takes_panel_->take(takes_panel_->currentId());
  if (!take || !take->trace || (generation_ && generation_->isRunning())) return;
  const std::int64_t token = take->trace->tokenOfNote(note.track, note.start, note.pitch);
  if (token < 0) {
    statusBar()->showMessage(tr("That note is not one the model read or wrote"));
    return;
  }
  piano_roll_->setNoteHighlights(note, {});
  attention_view_->focusToken(token);
}

void MainWindow::highlightAttention(qint64 query, const QList<qint64>& keys) {
  const Take* take = takes_panel_->take(takes_panel_->currentId());
  if (!take || !take->trace) return;
  std::vector<NoteKey> attended;
  for (qint64 k : keys)
    if (const auto n = note_of_token(*take->trace, k); n && !(n == note_of_token(*take->trace, query))) attended.push_back(*n);
  piano_roll_->setNoteHighlights(note_of_token(*take->trace, query), std::move(attended));
}

CompareView* MainWindow::openCompare() {
  if (!catalog_) {
    showError(tr("No models to compare"));
    return nullptr;
  }
  if (!compare_view_) {
    compare_view_ = new CompareView(this);
    compare_view_->setCatalog(catalog_, model_panel_->device(), 1);  // one thread per model, models in parallel
    connect(compare_view_, &CompareView::takeReady, this, [this](int lane, const GeneratedTake& g, const QString& model) {
      Take take;
      take.score = g.score;
      take.recipe = g.recipe;
      take.prompt_end = g.prompt_end;
      take.training_end = g.training_end;
      take.model_name = model;
      take.name = tr("%1 (compare)").arg(model);
      take.partial = g.partial;
      take.trace = g.trace;
      // Its engine session belongs to the comparison's engine, not the loaded one: a re-roll re-encodes.
      take.engine_session.clear();
      if (compare_take_ids_.size() <= std::size_t(lane)) compare_take_ids_.resize(std::size_t(lane) + 1);
      compare_take_ids_[std::size_t(lane)] = takes_panel_->addTake(std::move(take), /*select=*/false);
    });
    connect(compare_view_, &CompareView::playRequested, this, [this](int lane) {
      if (std::size_t(lane) >= compare_take_ids_.size() || compare_take_ids_[std::size_t(lane)].isEmpty()) return;
      takes_panel_->select(compare_take_ids_[std::size_t(lane)]);
      if (transport_ && playback_) transport_->play();
    });
    connect(compare_view_, &CompareView::allFinished, this, [this] { statusBar()->showMessage(tr("Comparison finished")); });
  }
  if (!compare_view_->isRunning()) {
    compare_take_ids_.clear();
    compare_view_->setRequest(promptRequest());
  }
  compare_view_->show();
  compare_view_->raise();
  compare_view_->activateWindow();
  return compare_view_;
}

}  // namespace spe::ui
