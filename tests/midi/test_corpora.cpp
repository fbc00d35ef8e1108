// Every file of every shared corpus must parse, convert to a Score, and survive a write → read round trip.
#include <catch2/catch.hpp>

#include "midi/smf.hpp"
#include "music/score_midi.hpp"
#include "../music/score_compare.hpp"
#include "test_paths.hpp"
#include "midi/midi_files.hpp"

namespace {

void check_corpus(const std::string& name) {
  auto dir = spe::test::shared_data(name);
  if (!dir) return;
  const auto files = spe::midi::list_midi_files(*dir);
  REQUIRE(!files.empty());
  std::size_t notes = 0, tracks = 0, failures = 0, roundtrip_mismatches = 0, score_mismatches = 0;
  for (const auto& path : files) {
    try {
      const auto file = spe::midi::read_file(path);
      const auto score = spe::music::score_from_midi(file);
      notes += score.note_count();
      tracks += score.tracks.size();
      // Event-level round trip: what we write reads back as exactly what we read.
      if (spe::midi::parse(spe::midi::serialize(file), "again") != file) {
        ++roundtrip_mismatches;
        UNSCOPED_INFO("round trip differs: " << path.string());
      }
      // Score-level round trip: score_to_midi → bytes → score_from_midi gives the same Score.
      const auto again = spe::music::score_from_midi(
          spe::midi::parse(spe::midi::serialize(spe::music::score_to_midi(score)), "again"));
      if (const auto why = spe::test::score_difference(score, again); !why.empty()) {
        ++score_mismatches;
        UNSCOPED_INFO("score round trip differs: " << path.string() << ": " << why);
      }
    } catch (const std::exception& e) {
      ++failures;
      UNSCOPED_INFO(e.what());
    }
  }
  WARN(name << ": " << files.size() << " MIDI files, " << tracks << " tracks, " << notes << " notes, "
            << failures << " failures");
  CHECK(failures == 0);
  CHECK(roundtrip_mismatches == 0);
  CHECK(score_mismatches == 0);
  CHECK(notes > 0);
}

}  // namespace

TEST_CASE("every pop1k7 file parses", "[integration]") { check_corpus("pop1k7"); }
TEST_CASE("every pop909 file parses", "[integration]") { check_corpus("pop909"); }
TEST_CASE("every groove_mma file parses", "[integration]") { check_corpus("groove_mma"); }
TEST_CASE("every midimancy_pop_rock file parses", "[integration]") { check_corpus("midimancy_pop_rock"); }
TEST_CASE("every nottingham file parses", "[integration]") { check_corpus("nottingham"); }
TEST_CASE("every multitrack_pop file parses", "[integration]") { check_corpus("multitrack_pop"); }
