// SessionStore: what is saved comes back (prompt, takes tree, names, recipes, prompt flags), deleted takes
// leave no file, a corrupt index is a one-line error naming it, and the lock tells a crash from a clean exit.
#include <sys/wait.h>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <catch2/catch.hpp>
#include <fstream>
#include <memory>

#include "music/recipe_midi.hpp"
#include "music/score_midi.hpp"
#include "session_store.hpp"
#include "test_paths.hpp"

namespace fs = std::filesystem;
using spe::ui::SessionStore;
using spe::ui::StudioSession;
using spe::ui::Take;

namespace {

QString qpath(const fs::path& p) { return QString::fromStdString(p.string()); }

spe::music::Score prompt_score() {
  return spe::music::read_score(spe::test::source_dir() / "resources" / "prompts" / "pop909_001.mid");
}

// A take = the prompt's first 4 bars (flagged) plus a few generated notes after them.
Take make_take(const QString& id, const QString& parent, const spe::music::Score& prompt) {
  Take t;
  t.id = id;
  t.parent_id = parent;
  t.name = "Take " + id;
  t.score = prompt;
  const spe::music::Tick bar = 4 * prompt.ticks_per_beat;  // 4/4 or not, only a cut point
  t.prompt_end = 4 * bar;
  for (auto& track : t.score.tracks) {
    std::erase_if(track.notes, [&](const spe::music::Note& n) { return n.start >= t.prompt_end; });
    for (auto& n : track.notes) n.from_prompt = true;
  }
  for (int i = 0; i < 8; ++i)
    t.score.tracks.front().notes.push_back({t.prompt_end + i * 240, t.prompt_end + i * 240 + 200, 60 + i, 90, false});
  t.recipe = R"({"seed":)" + std::to_string(id.size() * 7) + "}";
  t.training_end = t.prompt_end + 960;
  t.model_name = "pop-sine";
  return t;
}

}  // namespace

TEST_CASE("session store round-trips the prompt and the takes tree", "[gui]") {
  const fs::path dir = spe::test::scratch_dir("session_store_roundtrip");
  const auto prompt = prompt_score();
  StudioSession session;
  session.prompt_path = "/somewhere/pop909_001.mid";
  session.prompt = prompt;
  session.prompt_bars = 8;
  session.model_name = "/models/pop-sine";
  session.takes = {make_take("take-1", "", prompt), make_take("take-2", "take-1", prompt)};
  session.takes[1].reroll_bar = 5;
  session.takes[1].partial = true;
  session.takes[1].candidate = 1;
  session.selected_take = "take-2";

  SessionStore store(qpath(dir));
  QString error;
  REQUIRE(store.save(session, &error));
  CHECK(error.isEmpty());
  // Each take is a playable MIDI file with its recipe.
  CHECK(spe::music::read_recipe_text(dir / "takes" / "take-2.mid") == session.takes[1].recipe);

  auto loaded = SessionStore(qpath(dir)).load(&error);
  REQUIRE(loaded);
  CHECK(error.isEmpty());
  CHECK(loaded->prompt_path == session.prompt_path);
  CHECK(loaded->prompt_bars == 8);
  CHECK(loaded->model_name == session.model_name);
  CHECK(loaded->selected_take == "take-2");
  CHECK(loaded->prompt.note_count() == prompt.note_count());
  REQUIRE(loaded->takes.size() == 2);
  const Take& a = session.takes[1];
  const Take& b = loaded->takes[1];
  CHECK(b.id == a.id);
  CHECK(b.parent_id == "take-1");
  CHECK(b.name == a.name);
  CHECK(b.recipe == a.recipe);
  CHECK(b.prompt_end == a.prompt_end);
  CHECK(b.training_end == a.training_end);
  CHECK(b.reroll_bar == 5);
  CHECK(b.partial);
  CHECK(b.candidate == 1);
  CHECK(b.model_name == a.model_name);
  REQUIRE(b.score.note_count() == a.score.note_count());
  std::size_t flagged = 0, expected_flagged = 0;
  for (const auto& track : b.score.tracks)
    for (const auto& n : track.notes) flagged += n.from_prompt;
  for (const auto& track : a.score.tracks)
    for (const auto& n : track.notes) expected_flagged += n.from_prompt;
  CHECK(flagged == expected_flagged);
  CHECK(flagged > 0);
}

TEST_CASE("session store removes a deleted take's file and keeps a renamed one", "[gui]") {
  const fs::path dir = spe::test::scratch_dir("session_store_delete");
  const auto prompt = prompt_score();
  StudioSession session;
  session.prompt = prompt;
  session.takes = {make_take("take-1", "", prompt), make_take("take-2", "", prompt)};
  SessionStore store(qpath(dir));
  REQUIRE(store.save(session));
  REQUIRE(fs::exists(dir / "takes" / "take-1.mid"));
  session.takes.erase(session.takes.begin());
  session.takes[0].name = "keeper";
  REQUIRE(store.save(session));
  CHECK_FALSE(fs::exists(dir / "takes" / "take-1.mid"));
  auto loaded = store.load();
  REQUIRE(loaded);
  REQUIRE(loaded->takes.size() == 1);
  CHECK(loaded->takes[0].name == "keeper");
}

TEST_CASE("session store reports a corrupt index in one line and has nothing without one", "[gui]") {
  const fs::path dir = spe::test::scratch_dir("session_store_corrupt");
  SessionStore store(qpath(dir));
  QString error = "stale";
  CHECK_FALSE(store.load(&error));
  CHECK(error.isEmpty());
  QFile f(qpath(dir / "session.json"));
  REQUIRE(f.open(QIODevice::WriteOnly));
  f.write("{ not json");
  f.close();
  CHECK_FALSE(store.load(&error));
  CHECK(error.contains("session.json"));
  CHECK_FALSE(error.contains('\n'));
}

TEST_CASE("session store tells an interrupted session from a clean exit", "[gui]") {
  const fs::path dir = spe::test::scratch_dir("session_store_lock");
  const auto prompt = prompt_score();
  StudioSession session;
  session.prompt = prompt;
  SessionStore store(qpath(dir));
  store.markRunning();
  REQUIRE(store.save(session));
  CHECK_FALSE(store.wasInterrupted());  // this process holds the lock: running, not interrupted
  // A lock left by a process that is gone (a child that exited at once) is a crash.
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  QFile lock(qpath(dir / "running.lock"));
  REQUIRE(lock.open(QIODevice::WriteOnly | QIODevice::Truncate));
  lock.write(QByteArray::number(static_cast<qint64>(child)));
  lock.close();
  CHECK(store.wasInterrupted());
  store.markClosed();
  CHECK_FALSE(store.wasInterrupted());
  store.clear();
  CHECK_FALSE(fs::exists(dir / "session.json"));
}

TEST_CASE("session store keeps each take's token trace, and names a corrupt one while keeping the take", "[gui]") {
  const fs::path dir = spe::test::scratch_dir("session_store_trace");
  const auto prompt = prompt_score();
  StudioSession session;
  session.prompt = prompt;
  session.takes = {make_take("take-1", "", prompt)};
  auto trace = std::make_shared<spe::ui::TokenTrace>();
  trace->model_id = "pop-sine@0123456789ab";
  trace->tokens = {0, 1, 149, 328, 7, 220, 277};
  trace->prompt_length = 3;
  trace->entropy = {1.5f, 0.25f, 2.0f, 0.125f};
  trace->log_prob = {-0.5f, -0.0625f, -3.0f, -0.01f};
  trace->model_seed = 0xfedcba9876543210ULL;  // needs all 64 bits
  trace->train_len = 512;
  trace->ticks_per_beat = 480;
  trace->bar = {0, 0, 0, 0, 0, 1, 1};
  trace->tick = {0, 0, 120, 120, 120, 1920, 1920};
  trace->note_track = {-1, -1, -1, 0, -1, -1, 0};
  trace->note_pitch = {-1, -1, -1, 60, -1, -1, 64};
  trace->vocabulary.resize(333);
  for (std::size_t i = 0; i < trace->vocabulary.size(); ++i) trace->vocabulary[i] = "tok" + std::to_string(i);
  session.takes[0].trace = trace;
  SessionStore store(qpath(dir));
  QString error;
  REQUIRE(store.save(session, &error));
  REQUIRE(fs::exists(dir / "takes" / "take-1.trace.json"));

  auto loaded = SessionStore(qpath(dir)).load(&error);
  REQUIRE(loaded);
  CHECK(error.isEmpty());
  REQUIRE(loaded->takes.size() == 1);
  REQUIRE(loaded->takes[0].trace);
  const spe::ui::TokenTrace& t = *loaded->takes[0].trace;
  CHECK(t.model_id == trace->model_id);
  CHECK(t.model_seed == trace->model_seed);
  CHECK(t.tokens == trace->tokens);
  CHECK(t.prompt_length == 3);
  CHECK(t.entropy == trace->entropy);
  CHECK(t.log_prob == trace->log_prob);
  CHECK(t.bar == trace->bar);
  CHECK(t.tick == trace->tick);
  CHECK(t.note_pitch == trace->note_pitch);
  CHECK(t.vocabulary == trace->vocabulary);
  CHECK(t.tokenOfNote(0, 1920, 64) == 6);

  // A trace whose arrays disagree: the take loads without it and the problem is named in one line.
  std::ofstream(dir / "takes" / "take-1.trace.json") << R"({"format":"spe-studio-trace","model_seed":"1","tokens":[1,2],"prompt_length":1,"bar":[0],"tick":[0,0],"note_track":[-1,-1],"note_pitch":[-1,-1],"entropy":[1],"log_prob":[-1],"vocabulary":["a","b","c"]})";
  loaded = SessionStore(qpath(dir)).load(&error);
  REQUIRE(loaded);
  REQUIRE(loaded->takes.size() == 1);
  CHECK_FALSE(loaded->takes[0].trace);
  CHECK(error.contains(QStringLiteral("take-1.trace.json")));
  CHECK(error.contains(QStringLiteral("different lengths")));
  CHECK_FALSE(error.contains(QLatin1Char('\n')));
}
