#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tokens/event_tokenizer.hpp"
#include "tokens/remi_tokenizer.hpp"

using namespace spe::tokens;
using nlohmann::json;

TEST_CASE("tokenizer config + vocabulary JSON recreates the same tokenizer") {
  EventOptions eo;
  eo.harmonic_program = 4;
  eo.default_velocity = 90;
  eo.paper_time_shifts = true;
  std::vector<std::unique_ptr<Tokenizer>> all;
  all.push_back(std::make_unique<RemiTokenizer>(RemiOptions{RemiVocabKind::Paper}));
  all.push_back(std::make_unique<RemiTokenizer>(RemiOptions{RemiVocabKind::Full}));
  all.push_back(std::make_unique<EventTokenizer>(eo));
  for (const auto& tok : all) {
    const json stored = json::parse(tok->to_json().dump());  // through text, as a checkpoint would
    const auto again = make_tokenizer(stored);
    CHECK(again->scheme() == tok->scheme());
    CHECK(again->config() == tok->config());
    CHECK(again->vocab() == tok->vocab());
    // The generic quantize() is what decode(encode(s)) gives back.
    spe::music::Score s;
    s.ticks_per_beat = 96;
    spe::music::Track t;
    t.program = 33;
    t.notes = {spe::music::Note{0, 50, 40, 77, false}, spe::music::Note{30, 200, 45, 51, false}};
    s.tracks.push_back(t);
    const auto q = again->quantize(s), d = again->decode(again->encode(s));
    REQUIRE(d.tracks.size() == q.tracks.size());
    for (std::size_t i = 0; i < q.tracks.size(); ++i) {
      REQUIRE(d.tracks[i].notes.size() == q.tracks[i].notes.size());
      for (std::size_t k = 0; k < q.tracks[i].notes.size(); ++k) {
        CHECK(d.tracks[i].notes[k].start == q.tracks[i].notes[k].start);
        CHECK(d.tracks[i].notes[k].end == q.tracks[i].notes[k].end);
        CHECK(d.tracks[i].notes[k].pitch == q.tracks[i].notes[k].pitch);
        CHECK(d.tracks[i].notes[k].velocity == q.tracks[i].notes[k].velocity);
      }
    }
    CHECK(q.note_count() == 2);
  }
  const auto ev = make_tokenizer(all[2]->to_json());
  const auto& e = dynamic_cast<const EventTokenizer&>(*ev);
  CHECK(e.options().harmonic_program == 4);
  CHECK(e.options().default_velocity == 90);
  CHECK(e.options().paper_time_shifts);
}

TEST_CASE("make_tokenizer rejects bad configs and mismatching vocabularies") {
  CHECK_THROWS_WITH(make_tokenizer(json{{"scheme", "abc"}}), Catch::Contains("unknown tokenizer scheme 'abc'"));
  CHECK_THROWS_WITH(make_tokenizer(json::array()), Catch::Contains("scheme"));
  CHECK_THROWS_WITH(make_tokenizer(json{{"scheme", "remi"}, {"vocab", "big"}}), Catch::Contains("paper"));
  CHECK_THROWS_WITH(make_tokenizer(json{{"scheme", "event"}, {"vocab", "full"}}),
                    Catch::Contains("event tokenizer: unknown option 'vocab'"));
  CHECK_THROWS_WITH(make_tokenizer(json{{"scheme", "remi"}, {"vocabs", "full"}}), Catch::Contains("'vocabs'"));
  CHECK_THROWS_WITH(make_tokenizer(json{{"scheme", "event"}, {"default_velocity", 0}}),
                    Catch::Contains("default_velocity"));

  auto stored = RemiTokenizer(RemiOptions{RemiVocabKind::Paper}).to_json();
  stored["vocab"] = "full";  // config says full, vocabulary is the paper's
  CHECK_THROWS_WITH(make_tokenizer(stored), Catch::Contains("vocabulary mismatch") && Catch::Contains("token 3 is 'Beat_10'"));

  auto swapped = RemiTokenizer().to_json();
  std::swap(swapped["vocabulary"]["tokens"][3], swapped["vocabulary"]["tokens"][4]);
  CHECK_THROWS_WITH(make_tokenizer(swapped), Catch::Contains("token 3 is 'Beat_11'") && Catch::Contains("'Beat_10'"));

  auto shorter = EventTokenizer().to_json();
  shorter["vocabulary"]["tokens"].erase(793);
  shorter["vocabulary"].erase("size");
  CHECK_THROWS_WITH(make_tokenizer(shorter), Catch::Contains("793 tokens but event has 794"));
}
