// The `spe-studio` executable as a user starts it: without a display, with --generate, and killed with
// SIGKILL in the middle of a take (the next start restores the prompt and the finished takes).
#include <signal.h>

#include <QImage>
#include <catch2/catch.hpp>
#include <algorithm>
#include <chrono>
#include <string>
#include <tuple>
#include <vector>

#include "gui_test_support.hpp"
#include "main_window.hpp"
#include "music/score_midi.hpp"
#include "session_store.hpp"
#include "spe_run.hpp"
#include "take.hpp"
#include "takes_panel.hpp"

namespace fs = std::filesystem;

namespace {

fs::path app() { return spe::test::binary_dir() / "app" / "spe-studio"; }
fs::path prompt() { return spe::test::source_dir() / "resources" / "prompts" / "pop909_001.mid"; }

}  // namespace

TEST_CASE("spe-studio without a display says so in one line and exits 2", "[gui]") {
  const auto r = spe::test::run_command("env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM " +
                                        spe::test::shell_quote(app()) + " " + spe::test::shell_quote(prompt()) + " 2>&1");
  CHECK(r.status == 2);
  CHECK(r.output.find("spe-studio: no display") == 0);
  CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
}

TEST_CASE("spe-studio --generate --screenshot --export shows and exports a generated take", "[gui]") {
  const fs::path out = spe::test::gui_scratch() / "studio_generate_screenshot.png";
  const fs::path take = spe::test::gui_scratch() / "studio_generate_export.mid";
  const fs::path again = spe::test::gui_scratch() / "studio_generate_export_again.mid";
  for (const auto& f : {out, take, again}) fs::remove(f);
  const auto r = spe::test::run_program(app(), "--generate --bars 8 --seed 2 --screenshot " + spe::test::shell_quote(out) +
                                                   " --export " + spe::test::shell_quote(take) +
                                                   " --size 1400x860 " + spe::test::shell_quote(prompt()),
                                        {.env = "QT_QPA_PLATFORM=offscreen"});
  INFO(r.output);
  REQUIRE(r.status == 0);
  const QImage image(QString::fromStdString(out.string()));
  REQUIRE_FALSE(image.isNull());
  CHECK(image.width() == 1400);
  // The exported take carries its recipe: the CLI reproduces it note for note.
  REQUIRE(fs::exists(take));
  const auto repro = spe::test::run_spe_cli("generate --threads 1 --recipe " + spe::test::shell_quote(take) + " -o " +
                                            spe::test::shell_quote(again));
  INFO(repro.output);
  REQUIRE(repro.status == 0);
  const auto a = spe::music::read_score(take), b = spe::music::read_score(again);
  CHECK(a.note_count() > 0);
  CHECK(a.note_count() == b.note_count());
  auto listing = [](const spe::music::Score& s) {
    std::vector<std::tuple<std::size_t, long, long, int, int>> out;
    for (std::size_t t = 0; t < s.tracks.size(); ++t)
      for (const auto& n : s.tracks[t].notes) out.emplace_back(t, long(n.start), long(n.end), n.pitch, n.velocity);
    return out;
  };
  CHECK(listing(a) == listing(b));
}

TEST_CASE("spe-studio --export without --generate --screenshot is refused in one line", "[gui]") {
  const auto r = spe::test::run_program(app(), "--export x.mid " + spe::test::shell_quote(prompt()),
                                        {.env = "QT_QPA_PLATFORM=offscreen"});
  CHECK(r.status == 2);
  CHECK(r.output.find("--export needs --generate and --screenshot") != std::string::npos);
}

TEST_CASE("after kill -9 during a take, the next start restores the prompt and the finished takes", "[gui]") {
  const fs::path home = spe::test::scratch_dir("studio_kill9");
  const fs::path data = home / "data", config = home / "config";
  const std::string env = "QT_QPA_PLATFORM=offscreen XDG_DATA_HOME=" + spe::test::shell_quote(data) +
                          " XDG_CONFIG_HOME=" + spe::test::shell_quote(config);
  const std::string command = "env " + env + " " + spe::test::shell_quote(app()) +
                              " --no-restore --generate --takes 50 --bars 6 --seed 9 " + spe::test::shell_quote(prompt()) +
                              " > " + spe::test::shell_quote(home / "app.log") + " 2>&1";
  const QString dir = QString::fromStdString((data / "spe-studio" / "session").string());
  spe::ui::SessionStore store(dir);
  // Wait for two finished takes: the third is being generated when the process is killed.
  std::size_t saved = 0;
  spe::test::signal_when(
      command,
      [&] {
        if (auto s = store.load()) saved = s->takes.size();
        return saved >= 2;
      },
      std::chrono::minutes(4), SIGKILL);
  REQUIRE(saved >= 2);
  CHECK(store.wasInterrupted());

  qputenv("XDG_DATA_HOME", QByteArray::fromStdString(data.string()));
  auto restored_store = std::make_shared<spe::ui::SessionStore>(dir);
  spe::ui::MainWindow window;
  window.setSessionStore(restored_store);
  REQUIRE(window.restoreSession());
  CHECK(window.takesPanel()->count() >= 2);
  CHECK(window.currentFile().toStdString() == prompt().string());
  const auto& first = window.takesPanel()->takes().front();
  CHECK(first.score.note_count() > 0);
  CHECK_FALSE(first.recipe.empty());
  // Restored with its token trace: the insight views work on it as on a fresh take.
  REQUIRE(first.trace);
  CHECK(first.trace->size() > first.trace->prompt_length);
  CHECK(first.trace->entropy.size() == first.trace->size() - first.trace->prompt_length);
  restored_store->markClosed();
  CHECK_FALSE(restored_store->wasInterrupted());
  qunsetenv("XDG_DATA_HOME");
}
