// Generation parameters: the paper's defaults per scheme and the JSON form kept in recipes.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "generate/params.hpp"

using namespace spe::generate;

TEST_CASE("default parameters follow the paper: REMI T=1.2 top-p 0.9, event T=0.6 without top-p") {
  const auto remi = default_generation_params("remi");
  CHECK(remi.temperature == Approx(1.1f));
  CHECK(remi.top_p == Approx(0.8f));
  CHECK(remi.top_k == 0);
  const auto event = default_generation_params("event");
  CHECK(event.temperature == Approx(0.6f));
  CHECK(event.top_p == 1.0f);
  CHECK(remi.use_grammar);
  CHECK(remi.candidates == 1);
  CHECK_THROWS_WITH(default_generation_params("abc"), Catch::Contains("unknown token scheme 'abc'"));
}

TEST_CASE("parameters survive a JSON round trip (the recipe in every output file)") {
  GenerationParams p = default_generation_params("remi");
  p.length_unit = LengthUnit::Seconds;
  p.length = 42.5;
  p.top_k = 17;
  p.seed = 0xFFFFFFFFFFFFFFF1ull;  // a full 64-bit seed must not lose bits
  p.candidates = 5;
  p.first_candidate = 3;
  p.prompt_bars = 4;
  p.use_grammar = false;
  p.stop_at_eos = false;
  p.end_cleanly = false;
  const nlohmann::json j = p;
  const auto back = nlohmann::json::parse(j.dump()).get<GenerationParams>();
  CHECK(back.length_unit == LengthUnit::Seconds);
  CHECK(back.length == 42.5);
  CHECK(back.temperature == p.temperature);
  CHECK(back.top_p == p.top_p);
  CHECK(back.top_k == 17);
  CHECK(back.seed == p.seed);
  CHECK(back.candidates == 5);
  CHECK(back.first_candidate == 3);
  CHECK(back.prompt_bars == 4);
  CHECK(!back.use_grammar);
  CHECK(!back.stop_at_eos);
  CHECK(!back.end_cleanly);
  CHECK_THROWS_WITH(nlohmann::json({{"length_unit", "furlongs"}}).get<GenerationParams>(),
                    Catch::Contains("furlongs"));
}
