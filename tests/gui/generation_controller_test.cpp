// The GUI side of generation: the engine runs on a worker thread, its notes stream into the piano roll
// through queued signals, cancel stops it, failures become one-line errors. The engine here is a scripted
// stand-in with known output (the real one lives in core/generate); what is tested is the plumbing.
#include <QAction>
#include <QApplication>
#include <QMessageBox>
#include <atomic>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <thread>

#include "generation_controller.hpp"
#include "gui_test_support.hpp"
#include "main_window.hpp"
#include "piano_roll_view.hpp"
#include "prompt_panel.hpp"
#include "timeline.hpp"

using namespace spe::ui;
using spe::music::Note;
using spe::music::Score;
using spe::music::Tick;
using spe::music::Track;

namespace {

// Appends one quarter note per step to track 0 and, from the 4th step on, to a new track 1: enough to
// check ordering, new tracks and the final take. `steps < 0` runs until cancelled.
class ScriptedEngine : public GenerationEngine {
 public:
  explicit ScriptedEngine(int steps, bool fail = false) : steps_(steps), fail_(fail) {}
  std::string name() const override { return "scripted"; }
  ModelDescription description() const override {
    ModelDescription d;
    d.name = "scripted";
    d.train_len = 16;
    return d;
  }
  GenerationRequest defaults() const override { return {}; }
  std::string device() const override { return "cpu"; }

  GenerationOutcome generate(const GenerationRequest& request, const GenerationSink& sink) override {
    thread_id = std::this_thread::get_id();
    Score take = prompt_prefix(request.prompt, request.prompt_end);
    if (take.tracks.empty()) take.tracks.push_back(Track{});
    Track extra;
    extra.name = "Generated strings";
    extra.program = 48;
    for (int step = 0; steps_ < 0 || step < steps_; ++step) {
      if (sink.cancelled()) break;
      if (fail_ && step == 2) throw std::runtime_error("model.safetensors: tensor 'head.weight' truncated");
      const Tick t = request.prompt_end + step * 480;
      const Note n{t, t + 480, 60 + step % 12, 90};
      take.tracks[0].notes.push_back(n);
      sink.notes(0, take.tracks[0], {n});
      if (step >= 3) {
        if (take.tracks.size() < 2) take.tracks.push_back(extra);
        const Note m{t, t + 240, 48, 70};
        take.tracks[1].notes.push_back(m);
        sink.notes(1, extra, {m});
      }
      sink.progress(steps_ < 0 ? 0.5 : (step + 1.0) / steps_, std::size_t(step + 1));
      ++produced;
      if (steps_ < 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    GenerationOutcome outcome;
    GeneratedTake g;
    g.score = take;
    g.prompt_end = request.prompt_end;
    g.recipe = "{\"engine\": \"scripted\"}";
    outcome.takes.push_back(g);
    outcome.cancelled = sink.cancelled();
    return outcome;
  }

  std::atomic<std::thread::id> thread_id{};
  std::atomic<int> produced{0};

 private:
  int steps_;
  bool fail_;
};

Score two_bar_prompt() {
  Score score;
  Track piano;
  piano.name = "Piano";
  for (int i = 0; i < 16; ++i) piano.notes.push_back({i * 480, i * 480 + 400, 64 + i % 5, 80});
  score.tracks.push_back(piano);
  return score;
}

}  // namespace

TEST_CASE("prompt_prefix keeps what starts before the cut and flags it", "[gui]") {
  Score score = two_bar_prompt();
  score.tempos = {{0, 100.0}, {3000, 140.0}};
  const Score prompt = prompt_prefix(score, 1920);
  REQUIRE(prompt.tracks.size() == 1);
  CHECK(prompt.tracks[0].notes.size() == 4);
  for (const auto& n : prompt.tracks[0].notes) CHECK(n.from_prompt);
  CHECK(prompt.tempos.size() == 1);
  CHECK(prompt_prefix(score, 0).note_count() == 0);
}

TEST_CASE("the engine runs off the UI thread and its notes stream into the roll in order", "[gui]") {
  auto engine = std::make_shared<ScriptedEngine>(8);
  GenerationController controller(engine);
  PianoRollView roll;
  roll.resize(800, 400);
  controller.attachPianoRoll(&roll);
  GenerationRequest request;
  request.prompt = prompt_prefix(two_bar_prompt(), 1920);
  request.prompt_end = 1920;
  roll.setScore(request.prompt);

  int batches = 0;
  double last_progress = 0;
  bool done = false, was_cancelled = true;
  Score take;
  QObject::connect(&controller, &GenerationController::notesGenerated, [&] { ++batches; });
  QObject::connect(&controller, &GenerationController::progressChanged, [&](double f, qulonglong, double, double) {
    CHECK(f >= last_progress);
    last_progress = f;
  });
  QObject::connect(&controller, &GenerationController::finished, [&](const GenerationOutcome& o) {
    REQUIRE(o.takes.size() == 1);
    take = o.takes[0].score;
    was_cancelled = o.cancelled;
    done = true;
  });
  request.prompt = two_bar_prompt();
  REQUIRE(controller.start(request));
  CHECK(controller.isRunning());
  CHECK_FALSE(controller.start(request));  // one take at a time
  REQUIRE(spe::test::process_events_until([&] { return done; }));

  CHECK(engine->thread_id.load() != std::this_thread::get_id());
  CHECK_FALSE(controller.isRunning());
  CHECK_FALSE(was_cancelled);
  CHECK(batches == 8 + 5);
  // The last progress report may be throttled away, but never the finished take.
  CHECK(last_progress > 0.0);
  REQUIRE(roll.score().tracks.size() == 2);
  CHECK(roll.score().tracks[1].name == "Generated strings");
  CHECK(roll.score().tracks[0].notes.size() == 4 + 8);
  CHECK(roll.score().note_count() == take.note_count());
  // Prompt notes keep their flag, generated ones do not: the roll draws them differently.
  CHECK(roll.score().tracks[0].notes[3].from_prompt);
  CHECK_FALSE(roll.score().tracks[0].notes[4].from_prompt);
  CHECK(roll.noteFillColor({0, 3}) != roll.noteFillColor({0, 4}));
}

TEST_CASE("cancel stops an unbounded take and delivers the partial take", "[gui]") {
  auto engine = std::make_shared<ScriptedEngine>(-1);
  GenerationController controller(engine);
  bool done = false, was_cancelled = false;
  QObject::connect(&controller, &GenerationController::finished, [&](const GenerationOutcome& o) {
    was_cancelled = o.cancelled;
    done = true;
  });
  GenerationRequest request;
  REQUIRE(controller.start(request));
  REQUIRE(spe::test::process_events_until([&] { return engine->produced.load() >= 5; }));
  controller.cancel();
  REQUIRE(spe::test::process_events_until([&] { return done; }));
  CHECK(was_cancelled);
  CHECK(engine->produced.load() >= 5);
}

TEST_CASE("destroying the controller mid-take cancels and joins the worker", "[gui]") {
  auto engine = std::make_shared<ScriptedEngine>(-1);
  {
    GenerationController controller(engine);
    REQUIRE(controller.start(GenerationRequest{}));
    REQUIRE(spe::test::process_events_until([&] { return engine->produced.load() >= 2; }));
  }  // must return (cancel + join), not hang or crash
  const int after = engine->produced.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(engine->produced.load() == after);
}

TEST_CASE("MainWindow generates from the chosen prompt bars and reports engine failures", "[gui]") {
  MainWindow window;
  window.resize(1200, 700);
  window.show();
  auto* generate_action = window.findChild<QAction*>(QStringLiteral("generateAction"));
  REQUIRE(generate_action != nullptr);
  CHECK_FALSE(generate_action->isEnabled());  // no engine wired: nothing to generate with
  CHECK_FALSE(window.generate());

  const auto prompt_file = spe::test::source_dir() / "resources" / "prompts" / "pop909_001.mid";
  REQUIRE(window.openFile(QString::fromStdString(prompt_file.string())));
  window.promptPanel()->setPromptBars(4);
  const Score source = window.pianoRoll()->score();
  const Tick cut = bar_start_tick(source, 4);

  window.setGenerationEngine(std::make_shared<ScriptedEngine>(32));
  CHECK(generate_action->isEnabled());
  REQUIRE(window.generate());
  CHECK_FALSE(generate_action->isEnabled());
  CHECK_FALSE(window.openFile(QString::fromStdString(prompt_file.string())));  // refused while running
  REQUIRE(spe::test::process_events_until([&] { return !window.generationController()->isRunning(); }));
  CHECK(generate_action->isEnabled());
  const Score take = window.pianoRoll()->score();  // a copy: the next take replaces the roll
  CHECK(take.note_count() == prompt_prefix(source, cut).note_count() + 32 + 29);
  for (const auto& track : take.tracks)
    for (const auto& n : track.notes) CHECK(n.from_prompt == (n.start < cut));
  CHECK(window.pianoRoll()->promptEndTick() == cut);
  spe::test::grab_and_save(window, "main_window_take.png");

  // A second take starts again from the file's prompt, not from the previous take.
  REQUIRE(window.generate());
  REQUIRE(spe::test::process_events_until([&] { return !window.generationController()->isRunning(); }));
  CHECK(window.pianoRoll()->score().note_count() == take.note_count());

  window.setGenerationEngine(std::make_shared<ScriptedEngine>(8, /*fail=*/true));
  REQUIRE(window.generate());
  REQUIRE(spe::test::process_events_until([&] { return !window.generationController()->isRunning(); }));
  CHECK(window.lastError().startsWith(QStringLiteral("Generation failed: model.safetensors")));
  CHECK(generate_action->isEnabled());
}
