// `spe-studio --screenshot OUT.png FILE.mid`, run as a user (or CI) would run it.
#include <QImage>
#include <catch2/catch.hpp>
#include <string>

#include "gui_test_support.hpp"
#include "spe_run.hpp"

namespace fs = std::filesystem;

namespace {

// spe-studio as a user runs it, on the offscreen platform; stdout and stderr together.
spe::test::ProgramRun run(const std::string& args) {
  const fs::path app = spe::test::binary_dir() / "app" / "spe-studio";
  REQUIRE(fs::exists(app));
  return spe::test::run_program(app, args, {.env = "QT_QPA_PLATFORM=offscreen"});
}

}  // namespace

TEST_CASE("spe-studio --screenshot renders the window with the file loaded", "[gui]") {
  const fs::path out = spe::test::gui_scratch() / "studio_screenshot.png";
  fs::remove(out);
  const fs::path midi = spe::test::source_dir() / "resources" / "prompts" / "pop909_001.mid";
  const auto r = run("--screenshot '" + out.string() + "' --size 1200x760 '" + midi.string() + "'");
  INFO(r.output);
  REQUIRE(r.status == 0);
  const QImage image(QString::fromStdString(out.string()));
  REQUIRE_FALSE(image.isNull());
  CHECK(image.width() == 1200);
  CHECK(image.height() == 760);
  // Not a blank frame: the roll's dark background and coloured notes both occur.
  int coloured = 0;
  for (int y = 0; y < image.height(); y += 3)
    for (int x = 0; x < image.width(); x += 3) {
      const QColor c(image.pixel(x, y));
      if (c.saturation() > 120 && c.value() > 120) ++coloured;
    }
  CHECK(coloured > 50);
}

TEST_CASE("spe-studio --screenshot exits 2 with a one-line message on a bad file", "[gui]") {
  const fs::path bad = spe::test::gui_scratch() / "not-midi.mid";
  { std::FILE* f = std::fopen(bad.string().c_str(), "wb"); std::fputs("hello", f); std::fclose(f); }
  const fs::path out = spe::test::gui_scratch() / "never-written.png";
  fs::remove(out);
  const auto r = run("--screenshot '" + out.string() + "' '" + bad.string() + "'");
  CHECK(r.status == 2);
  CHECK(r.output.find("spe-studio: ") != std::string::npos);
  CHECK(r.output.find("not-midi.mid") != std::string::npos);
  CHECK_FALSE(fs::exists(out));

  const auto none = run("--screenshot '" + out.string() + "'");
  CHECK(none.status == 2);
  CHECK(none.output.find("needs a MIDI file") != std::string::npos);
}
