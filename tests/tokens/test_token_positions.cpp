// tick_of_each_token / note_started_by: every decoded note is started by exactly one token, at the
// note's onset tick and with its track and pitch, on real POP909 (REMI) and groove_mma (event) files,
// and the token clock agrees with bar_of_each_token.
#include <catch2/catch.hpp>
#include <algorithm>
#include <map>
#include <tuple>

#include "midi/midi_files.hpp"
#include "music/score_midi.hpp"
#include "test_paths.hpp"
#include "tokens/event_tokenizer.hpp"
#include "tokens/remi_tokenizer.hpp"

using namespace spe;
using namespace spe::tokens;

namespace {

using NoteKey = std::tuple<int, music::Tick, int>;  // track, onset, pitch

// What the tokens say: one entry per note-starting token that the decoded score keeps.
std::map<NoteKey, int> notes_by_tokens(const Tokenizer& tok, const std::vector<TokenId>& ids) {
  const auto ticks = tok.tick_of_each_token(ids);
  REQUIRE(ticks.size() == ids.size());
  std::map<NoteKey, int> out;
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (const auto note = tok.note_started_by(ids[i])) ++out[{note->first, ticks[i], note->second}];
  return out;
}

std::map<NoteKey, int> notes_of(const music::Score& s) {
  std::map<NoteKey, int> out;
  for (std::size_t t = 0; t < s.tracks.size(); ++t)
    for (const auto& n : s.tracks[t].notes) ++out[{int(t), n.start, n.pitch}];
  return out;
}

// Checks `count` files of a corpus; returns how many were checked (0: corpus absent).
std::size_t check_corpus(const Tokenizer& tok, const char* corpus, std::size_t count, music::Tick ticks_per_bar) {
  const auto dir = test::shared_data(corpus);
  if (!dir) return 0;
  auto files = midi::list_midi_files(*dir);
  REQUIRE(!files.empty());
  files.resize(std::min(files.size(), count));
  for (const auto& f : files) {
    INFO(f.string());
    const auto ids = tok.encode(music::read_score(f));
    const music::Score decoded = tok.decode(ids);
    REQUIRE(decoded.note_count() > 0);
    CHECK(notes_by_tokens(tok, ids) == notes_of(decoded));
    const auto ticks = tok.tick_of_each_token(ids);
    const auto bars = tok.bar_of_each_token(ids);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (ticks[i] / ticks_per_bar != bars[i]) FAIL_CHECK("token " << i << ": tick " << ticks[i] << " but bar " << bars[i]);
      if (i > 0 && ticks[i] < ticks[i - 1]) FAIL_CHECK("token " << i << ": the clock runs backwards");
    }
  }
  return files.size();
}

}  // namespace

TEST_CASE("REMI: each decoded note is started by one Pitch token at its onset (POP909)") {
  const RemiTokenizer tok({RemiVocabKind::Full});
  if (check_corpus(tok, "pop909", 12, 4 * tok.ticks_per_beat()) == 0) WARN("SKIPPED: ../shared/data/pop909 not found");
  // Only Pitch tokens start notes.
  int starters = 0;
  for (TokenId t = 0; t < TokenId(tok.vocab().size()); ++t)
    if (const auto n = tok.note_started_by(t)) {
      ++starters;
      CHECK(tok.vocab().name(t).find("Pitch") != std::string::npos);
      CHECK(n->first == 0);
    }
  CHECK(starters > 80);
  CHECK_FALSE(tok.note_started_by(-1));
}

TEST_CASE("event tokens: each decoded note is started by one note_on at its onset (groove_mma)") {
  const EventTokenizer tok;
  if (check_corpus(tok, "groove_mma", 12, 4 * tok.ticks_per_beat()) == 0) WARN("SKIPPED: ../shared/data/groove_mma not found");
  CHECK(tok.note_started_by(event_ids::kNoteOn + 128 * 2 + 36) == std::pair{2, 36});
  CHECK_FALSE(tok.note_started_by(event_ids::kNoteOff));
  CHECK_FALSE(tok.note_started_by(event_ids::kShift0));
  // A hand-made stream: shifts of 1 beat + 3 ticks, then 2 beats, from the start of the beat.
  const std::vector<TokenId> ids{event_ids::kBos, event_ids::kNoteOn + 60, event_ids::kShift1 + 3,
                                 event_ids::kNoteOff + 60, event_ids::kShift2, event_ids::kEos};
  const music::Tick b = tok.ticks_per_beat();
  CHECK(tok.tick_of_each_token(ids) == std::vector<music::Tick>{0, 0, b + 3, b + 3, 3 * b, 3 * b});
}
