// Random walks under the grammar's mask (seeded): every walk must decode with an empty report into a
// valid score, and re-encoding the decoded score must give the same notes back.
#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "token_test_helpers.hpp"
#include "tokens/event_tokenizer.hpp"
#include "tokens/remi_tokenizer.hpp"

using namespace spe;
using namespace spe::tokens;

namespace {

struct WalkStats {
  std::size_t walks = 0, tokens = 0, notes = 0;
};

// Samples uniformly among allowed tokens, taking `end` (EOS) only with probability p_end while under
// `max_len`; past it, steers toward the end by preferring the tokens in `closing` (first allowed wins).
std::vector<TokenId> random_walk(const Tokenizer& tok, std::mt19937& rng, std::size_t max_len, double p_end,
                                 const std::vector<TokenId>& closing) {
  auto g = tok.grammar();
  std::vector<TokenId> out;
  std::vector<std::uint8_t> mask;
  std::vector<TokenId> choices;
  while (!g->finished()) {
    g->allowed(mask);
    REQUIRE(std::count(mask.begin(), mask.end(), 1) > 0);  // never a dead end before EOS
    TokenId pick = -1;
    if (out.size() >= max_len) {
      for (TokenId c : closing)
        if (mask[static_cast<std::size_t>(c)]) {
          pick = c;
          break;
        }
    }
    if (pick < 0) {
      const bool end_ok = mask[static_cast<std::size_t>(tok.eos())] != 0;
      if (end_ok && std::bernoulli_distribution(p_end)(rng)) {
        pick = tok.eos();
      } else {
        choices.clear();
        for (std::size_t i = 0; i < mask.size(); ++i)
          if (mask[i] && static_cast<TokenId>(i) != tok.eos()) choices.push_back(static_cast<TokenId>(i));
        if (choices.empty()) pick = tok.eos();
        else pick = choices[std::uniform_int_distribution<std::size_t>(0, choices.size() - 1)(rng)];
      }
    }
    std::string why;
    REQUIRE(g->advance(pick, &why));
    out.push_back(pick);
  }
  return out;
}

void check_valid_score(const music::Score& s, int tpb) {
  REQUIRE(s.ticks_per_beat == tpb);
  for (const auto& t : s.tracks) {
    std::map<int, music::Tick> last_end;
    for (const auto& n : t.notes) {
      REQUIRE(n.end > n.start);
      REQUIRE(n.start >= 0);
      REQUIRE(n.pitch >= 0);
      REQUIRE(n.pitch <= 127);
      REQUIRE(n.velocity >= 1);
      REQUIRE(n.velocity <= 127);
    }
  }
}

}  // namespace

TEST_CASE("REMI: every grammar-constrained random walk decodes without repair") {
  for (auto kind : {RemiVocabKind::Paper, RemiVocabKind::Full}) {
    const RemiTokenizer tok({kind});
    std::mt19937 rng(1234);
    const std::vector<TokenId> closing = {tok.eos(), tok.layout().bar()};
    WalkStats stats;
    for (int w = 0; w < 300; ++w) {
      const auto ids = random_walk(tok, rng, 400, 0.002, closing);
      DecodeReport rep;
      const auto d = tok.decode(ids, &rep);
      INFO("walk " << w << ": " << (rep.lines().empty() ? "" : rep.lines().front()));
      REQUIRE(rep.empty());
      check_valid_score(d, 480);
      std::size_t durations = 0;
      for (auto t : ids) durations += tok.layout().info(t).kind == RemiKind::Duration;
      REQUIRE(d.note_count() == durations);
      // The decoded score is on the grid and free of same-pitch overlaps: re-encoding keeps every note.
      EncodeReport erep;
      const auto again = tok.encode(d, &erep);
      for (const auto& [what, n] : erep.counts) {
        INFO(what);
        REQUIRE((what.rfind("tempo changes dropped: same bin", 0) == 0 || what.rfind("chords dropped: same as", 0) == 0 ||
                 what.rfind("durations rounded", 0) == 0));  // 60-tick notes count as rounded to bin 0
      }
      REQUIRE(spe::test::grammar_refusal(tok, again).empty());
      REQUIRE(spe::test::note_keys(tok.decode(again).tracks[0]) == spe::test::note_keys(d.tracks[0]));
      ++stats.walks, stats.tokens += ids.size(), stats.notes += d.note_count();
    }
    CHECK(stats.tokens > 100000);  // thousands of steps per vocabulary
    CHECK(stats.notes > 1000);
  }
}

TEST_CASE("event tokens: every grammar-constrained random walk decodes without repair") {
  for (bool paper : {false, true}) {
    EventOptions o;
    o.paper_time_shifts = paper;
    const EventTokenizer tok(o);
    std::mt19937 rng(99);
    std::vector<TokenId> closing = {tok.eos()};
    for (TokenId t = event_ids::kNoteOff; t < event_ids::kShift0; ++t) closing.push_back(t);
    closing.push_back(event_ids::time_shift(1, 0));
    WalkStats stats;
    for (int w = 0; w < 300; ++w) {
      const auto ids = random_walk(tok, rng, 400, 0.002, closing);
      DecodeReport rep;
      const auto d = tok.decode(ids, &rep);
      INFO("walk " << w << ": " << (rep.lines().empty() ? "" : rep.lines().front()));
      REQUIRE(rep.empty());
      check_valid_score(d, 12);
      REQUIRE(d.tracks.size() == 3);
      const auto note_ons = static_cast<std::size_t>(
          std::count_if(ids.begin(), ids.end(), [](TokenId t) { return t < event_ids::kNoteOff; }));
      REQUIRE(d.note_count() == note_ons);
      // Re-encoding gives a grammar-accepted sequence that decodes to the same trio.
      EncodeReport erep;
      const auto again = tok.encode(d, &erep);
      REQUIRE(erep.counts.empty());
      REQUIRE(spe::test::grammar_refusal(tok, again).empty());
      const auto d2 = tok.decode(again);
      for (std::size_t t = 0; t < 3; ++t) REQUIRE(spe::test::note_keys(d2.tracks[t]) == spe::test::note_keys(d.tracks[t]));
      ++stats.walks, stats.tokens += ids.size(), stats.notes += d.note_count();
    }
    CHECK(stats.tokens > 100000);
    CHECK(stats.notes > 10000);
  }
}
