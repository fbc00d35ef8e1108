// Token-level transposition is exact on real songs: decoding the transposed tokens gives the decoded
// original with every pitch (and chord root) moved, and drums untouched.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "music/score_midi.hpp"
#include "test_paths.hpp"
#include "tokens/tokenizer.hpp"
#include "train/midi_dataset.hpp"
#include "midi/midi_files.hpp"

using namespace spe::train;

namespace {

void check_shifted(const spe::music::Track& original, const spe::music::Track& moved, int shift) {
  REQUIRE(original.notes.size() == moved.notes.size());
  for (std::size_t i = 0; i < original.notes.size(); ++i) {
    CHECK(moved.notes[i].start == original.notes[i].start);
    CHECK(moved.notes[i].end == original.notes[i].end);
    CHECK(moved.notes[i].pitch == original.notes[i].pitch + shift);
  }
}

}  // namespace

TEST_CASE("REMI transposition of a POP909 song moves notes and chord roots exactly", "[integration]") {
  auto pop = spe::test::shared_data("pop909");
  if (!pop) return;
  auto tok = spe::tokens::make_tokenizer(nlohmann::json{{"scheme", "remi"}, {"vocab", "full"}});
  auto table = transposition_table_for(*tok);
  TokenSeq ids = midi_encoder(*tok)(*pop / "POP909" / "001" / "001.mid");
  for (int shift : {-6, -1, 2, 5}) {
    TokenSeq moved = ids;
    REQUIRE(table.can_transpose(moved.data(), moved.data() + moved.size(), shift));
    table.transpose(moved.data(), moved.data() + moved.size(), shift);
    const auto a = tok->decode(ids), b = tok->decode(moved);
    REQUIRE(a.tracks.size() == b.tracks.size());
    REQUIRE(a.note_count() > 100);
    for (std::size_t t = 0; t < a.tracks.size(); ++t) check_shifted(a.tracks[t], b.tracks[t], shift);
    REQUIRE(a.chords.size() == b.chords.size());
    for (std::size_t c = 0; c < a.chords.size(); ++c)
      CHECK(b.chords[c].root == (a.chords[c].root < 0 ? -1 : (a.chords[c].root + shift + 12) % 12));
  }
}

TEST_CASE("event-token transposition of a multi-track song leaves the drums alone", "[integration]") {
  auto dir = spe::test::shared_data("multitrack_pop");
  if (!dir) return;
  auto tok = spe::tokens::make_tokenizer(nlohmann::json{{"scheme", "event"}});
  auto table = transposition_table_for(*tok);
  int checked = 0;
  for (const auto& file : spe::midi::list_midi_files(*dir)) {
    TokenSeq ids;
    try {
      ids = midi_encoder(*tok)(file);
    } catch (const std::exception&) {
      continue;
    }
    const auto a = tok->decode(ids);
    std::mt19937_64 rng(3);
    TokenSeq moved = ids;
    const int shift = table.random_transpose(moved.data(), moved.data() + moved.size(), 5, rng);
    const auto b = tok->decode(moved);
    REQUIRE(a.tracks.size() == b.tracks.size());
    bool has_drums = false;
    for (std::size_t t = 0; t < a.tracks.size(); ++t) {
      has_drums |= a.tracks[t].is_drum && !a.tracks[t].notes.empty();
      check_shifted(a.tracks[t], b.tracks[t], a.tracks[t].is_drum ? 0 : shift);
    }
    checked += has_drums;
  }
  CHECK(checked >= 3);
}
