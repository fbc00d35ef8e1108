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
