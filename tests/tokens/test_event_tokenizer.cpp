#include <catch2/catch.hpp>

#include "token_test_helpers.hpp"
#include "tokens/event_tokenizer.hpp"

using namespace spe;
using namespace spe::tokens;
using spe::test::note;
using spe::test::note_keys;
using spe::test::track;

namespace {

music::Score band() {
  music::Score s;
  s.ticks_per_beat = 24;
  s.tracks.push_back(track("Bass", 33, {note(0, 24, 36, 90)}));
  s.tracks.push_back(track("Drums", 0, {note(0, 2, 36, 100), note(12, 13, 42, 80)}, 9));
  s.tracks.push_back(track("Piano", 0, {note(48, 120, 60, 70), note(48, 72, 64, 70)}));
  s.tracks.push_back(track("Strings", 48, {note(0, 96, 72, 50)}));  // less busy: not in the trio
  return s;
}

}  // namespace

TEST_CASE("event vocabulary has the paper's 794 tokens") {
  const EventTokenizer tok;
  const auto& v = tok.vocab();
  REQUIRE(v.size() == 794);
  CHECK(v.id("note_on(0,0)") == 0);
  CHECK(v.id("note_on(1,36)") == 128 + 36);
  CHECK(v.id("note_on(2,127)") == 383);
  CHECK(v.id("note_off(0,0)") == 384);
  CHECK(v.id("note_off(2,127)") == 767);
  CHECK(v.id("time_shift(0,1)") == 768);
  CHECK(v.id("time_shift(0,11)") == 778);
  CHECK(v.id("time_shift(1,0)") == 779);
  CHECK(v.id("time_shift(1,11)") == 790);
  CHECK(v.id("time_shift(2,0)") == 791);
  CHECK(v.id("eos") == 792);
  CHECK(v.id("bos") == 793);
  CHECK(tok.eos() == 792);
  CHECK(tok.bos() == 793);
  CHECK(event_ids::time_shift(1, 5) == v.id("time_shift(1,5)"));
  CHECK(event_ids::time_shift(0, 5) == v.id("time_shift(0,5)"));
}

TEST_CASE("event tokens encode a hand-made band to the exact expected sequence") {
  const EventTokenizer tok;
  EncodeReport rep;
  const auto ids = tok.encode(band(), &rep);
  const std::vector<std::string> expected = {
      "bos", "note_on(1,36)", "note_on(0,36)", "time_shift(0,1)", "note_off(1,36)", "time_shift(0,6)",
      "note_on(1,42)", "time_shift(0,7)", "note_off(1,42)", "time_shift(1,0)", "note_off(0,36)",
      "time_shift(1,0)", "note_on(2,60)", "note_on(2,64)", "time_shift(1,0)", "note_off(2,64)",
      "time_shift(2,0)", "note_off(2,60)", "eos"};
  CHECK(tok.names(ids) == expected);
  CHECK(rep.notes_in == 6);
  CHECK(rep.notes_encoded == 5);
  CHECK(rep.get("notes dropped: track not in the trio (only the busiest other pitched track is kept)") == 1);
  CHECK(rep.get("onsets moved to the 12-per-beat grid") == 0);
  CHECK(spe::test::grammar_refusal(tok, ids).empty());
  CHECK(tok.bar_of_each_token(ids).back() == 1);  // tick 60 = beat 5 = bar 1
  CHECK(tok.prefix_length_for_bars(ids, 1) == 16);

  DecodeReport drep;
  const auto d = tok.decode(ids, &drep);
  CHECK(drep.empty());
  const auto q = quantize_for_events(band());
  REQUIRE(d.tracks.size() == 3);
  for (std::size_t t = 0; t < 3; ++t) CHECK(note_keys(d.tracks[t]) == note_keys(q.tracks[t]));
  CHECK(d.ticks_per_beat == 12);
  CHECK(d.tracks[0].program == 33);
  CHECK(d.tracks[1].is_drum);
  CHECK(d.tracks[1].channel == 9);
  CHECK(d.tracks[2].program == 0);
  CHECK(d.tracks[2].notes[0].velocity == 64);
}

TEST_CASE("event tokens: paper mode emits the redundant off-beat time shifts") {
  music::Score s;
  s.ticks_per_beat = 12;
  s.tracks.push_back(track("Bass", 33, {note(6, 30, 40), note(6, 18, 43)}));
  EventOptions paper;
  paper.paper_time_shifts = true;
  const EventTokenizer ours, theirs(paper);
  CHECK(ours.names(ours.encode(s)) ==
        std::vector<std::string>{"bos", "time_shift(0,6)", "note_on(0,40)", "note_on(0,43)", "time_shift(1,6)",
                                 "note_off(0,43)", "time_shift(1,6)", "note_off(0,40)", "eos"});
  const auto ids = theirs.encode(s);
  CHECK(theirs.names(ids) ==
        std::vector<std::string>{"bos", "time_shift(0,6)", "note_on(0,40)", "time_shift(0,6)", "note_on(0,43)",
                                 "time_shift(1,6)", "note_off(0,43)", "time_shift(1,6)", "note_off(0,40)", "eos"});
  CHECK(spe::test::grammar_refusal(theirs, ids).empty());
  CHECK_FALSE(spe::test::grammar_refusal(ours, ids).empty());  // our grammar forbids the redundant shift
  CHECK(note_keys(theirs.decode(ids).tracks[0]) == note_keys(ours.decode(ours.encode(s)).tracks[0]));
}

TEST_CASE("event trio mapping resolves same-pitch overlaps and zero-length notes") {
  music::Score s;
  s.ticks_per_beat = 480;
  s.tracks.push_back(track("Guitar", 25, {note(0, 960, 60), note(0, 480, 60), note(480, 1440, 60), note(1010, 1011, 64)}));
  EncodeReport rep;
  const auto q = quantize_for_events(s, {}, &rep);
  CHECK(rep.get("notes dropped: same pitch at the same onset in one part (longest kept)") == 1);
  CHECK(rep.get("notes shortened: overlapped by a later note of the same pitch") == 1);
  CHECK(rep.get("zero-length notes lengthened to 1 tick") == 1);
  CHECK(rep.get("onsets moved to the 12-per-beat grid") == 1);
  using K = spe::test::NoteKey;
  CHECK(note_keys(q.tracks[2]) == std::vector<K>{{0, 12, 60, 64}, {12, 36, 60, 64}, {25, 26, 64, 64}});
  const EventTokenizer tok;
  const auto ids = tok.encode(s);
  CHECK(spe::test::grammar_refusal(tok, ids).empty());
  CHECK(note_keys(tok.decode(ids).tracks[2]) == note_keys(q.tracks[2]));
}

TEST_CASE("event decode: FIFO duplicates, unmatched note-offs, zero length, open notes, bad ids") {
  const EventTokenizer tok;
  auto ids = [&](std::vector<std::string> names) { return spe::test::token_ids(tok, names); };
  DecodeReport rep;
  const auto d = tok.decode(ids({"bos", "note_on(0,40)", "time_shift(0,3)", "note_on(0,40)", "time_shift(0,5)",
                                 "note_off(0,40)", "note_off(2,50)", "note_on(2,50)", "note_off(2,50)",
                                 "time_shift(1,0)", "note_off(0,40)", "note_on(1,38)", "time_shift(0,2)",
                                 "time_shift(0,1)", "bos"}),
                            &rep);
  using K = spe::test::NoteKey;
  CHECK(note_keys(d.tracks[0]) == std::vector<K>{{0, 5, 40, 64}, {3, 12, 40, 64}});  // FIFO: first on, first off
  CHECK(note_keys(d.tracks[2]) == std::vector<K>{{5, 6, 50, 64}});
  CHECK(note_keys(d.tracks[1]) == std::vector<K>{{12, 13, 38, 64}});  // closed at the end, lengthened to 1 tick
  CHECK(rep.get("note_on of an already sounding (track, pitch): notes overlap") == 1);
  CHECK(rep.get("note_off without a sounding note ignored") == 1);
  CHECK(rep.get("zero-length notes lengthened to 1 tick") == 1);
  CHECK(rep.get("notes still sounding at the end closed there") == 1);
  CHECK(rep.get("time shifts moving backward") == 1);
  CHECK(rep.get("bos tokens after the start ignored") == 1);

  const std::vector<TokenId> bad = {793, -4};
  CHECK_THROWS_WITH(tok.decode(bad), Catch::Contains("-4") && Catch::Contains("index 1"));
}

TEST_CASE("event grammar refuses illegal continuations") {
  const EventTokenizer tok;
  auto g = tok.grammar();
  auto id = [&](const char* n) { return tok.vocab().id(n); };
  std::string why;
  CHECK_FALSE(g->advance(id("note_on(0,40)"), &why));
  CHECK_THAT(why, Catch::Contains("begin with bos"));
  REQUIRE(g->advance(id("bos")));
  CHECK_FALSE(g->advance(id("bos")));
  CHECK_FALSE(g->advance(id("note_off(0,40)")));
  REQUIRE(g->advance(id("note_on(0,40)")));
  CHECK_FALSE(g->advance(id("note_on(0,40)")));
  CHECK_FALSE(g->advance(id("note_off(0,40)"), &why));  // would be zero-length
  CHECK_FALSE(g->advance(id("eos"), &why));
  CHECK_THAT(why, Catch::Contains("1 notes are still sounding"));
  REQUIRE(g->advance(id("time_shift(0,5)")));
  CHECK_FALSE(g->advance(id("time_shift(0,5)")));
  CHECK_FALSE(g->advance(id("time_shift(0,2)"), &why));
  CHECK_THAT(why, Catch::Contains("tick 5"));
  auto copy = g->clone();
  REQUIRE(g->advance(id("note_off(0,40)")));
  CHECK(g->advance(id("eos")));
  CHECK(g->finished());
  CHECK_FALSE(copy->finished());
  CHECK_FALSE(copy->advance(id("eos")));
  std::vector<std::uint8_t> mask;
  copy->allowed(mask);
  REQUIRE(mask.size() == 794);
  CHECK(mask[static_cast<std::size_t>(id("note_off(0,40)"))] == 1);
  CHECK(mask[static_cast<std::size_t>(id("note_on(0,40)"))] == 0);
  CHECK(mask[static_cast<std::size_t>(id("time_shift(0,6)"))] == 1);
  CHECK(mask[static_cast<std::size_t>(id("time_shift(0,5)"))] == 0);
  CHECK(mask[static_cast<std::size_t>(id("eos"))] == 0);
  CHECK(mask[static_cast<std::size_t>(id("bos"))] == 0);
}

TEST_CASE("decoded trio takes programs and mean velocities from the prompt") {
  const EventTokenizer tok;
  auto d = tok.decode(tok.encode(band()));
  apply_prompt_instruments(d, band());
  CHECK(d.tracks[0].program == 33);
  CHECK(d.tracks[0].notes[0].velocity == 90);
  CHECK(d.tracks[1].is_drum);
  CHECK(d.tracks[1].notes[0].velocity == 90);  // mean of 100 and 80
  CHECK(d.tracks[2].program == 0);
  CHECK(d.tracks[2].notes[0].velocity == 70);
  music::Score organ;
  organ.tracks.push_back(track("Organ", 16, {note(0, 10, 60, 30)}));
  auto e = tok.decode(tok.encode(band()));
  apply_prompt_instruments(e, organ);
  CHECK(e.tracks[2].program == 16);
  CHECK(e.tracks[2].notes[0].velocity == 30);
  CHECK(e.tracks[0].program == 33);            // no bass in the prompt: default kept
  CHECK(e.tracks[0].notes[0].velocity == 64);
}
