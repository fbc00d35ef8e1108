#include <catch2/catch.hpp>

#include "midi/smf.hpp"
#include "test_paths.hpp"
#include "midi/midi_files.hpp"

using namespace spe::midi;

TEST_CASE("serialize then parse reproduces a file read from the corpora") {
  auto dir = spe::test::shared_data("multitrack_pop");
  if (!dir) return;
  const auto files = spe::midi::list_midi_files(*dir);
  REQUIRE(!files.empty());
  for (const auto& path : files) {
    INFO(path.string());
    const File original = read_file(path);
    const File again = parse(serialize(original), "again");
    CHECK(again == original);
  }
}

TEST_CASE("write_file is atomic and leaves no temporary files") {
  File f;
  f.tracks.resize(1);
  Event on;
  on.status = 0x90;
  on.data1 = 64;
  on.data2 = 80;
  f.tracks[0].events.push_back(on);
  Event end;
  end.tick = 10;
  end.kind = EventKind::Meta;
  end.status = 0xFF;
  end.meta_type = meta::kEndOfTrack;
  f.tracks[0].events.push_back(end);
  const auto dir = spe::test::scratch_dir("smf_write");
  const auto path = dir / "out.mid";
  write_file(f, path);
  write_file(f, path);  // replacing an existing file
  CHECK(read_file(path) == [&] { File g = f; g.format = 1; return g; }());
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  CHECK(entries == 1);
  CHECK_THROWS_AS(write_file(f, dir / "missing" / "out.mid"), MidiError);
}
