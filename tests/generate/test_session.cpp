// GenerationSession on the toy model/scheme: reproducibility, grammar, cancel, rewind, candidates, lengths.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "generate/session.hpp"
#include "toy_engine.hpp"

using namespace spe::generate;
using spe::test::ToyModel;
using spe::test::ToyScheme;
using spe::test::ToyCursor;

namespace {

GenerationParams toy_params(std::uint64_t seed, double tokens = 200) {
  GenerationParams p;
  p.seed = seed;
  p.length = tokens;
  p.temperature = 1.0f;
  p.stop_at_eos = false;
  p.end_cleanly = false;
  return p;
}

std::vector<int> generate_tokens(const GenerationParams& p, std::vector<int> prompt = {}) {
  ToyModel model;
  ToyScheme scheme;
  GenerationSession session(model, scheme, p);
  session.start(prompt);
  session.run();
  return session.candidates().at(0).tokens;
}

bool all_legal(const std::vector<int>& tokens) {
  ToyCursor cursor;
  for (int t : tokens)
    if (!cursor.advance(t)) return false;
  return true;
}

}  // namespace

TEST_CASE("same seed gives identical tokens - different seeds differ") {
  const auto a = generate_tokens(toy_params(11));
  const auto b = generate_tokens(toy_params(11));
  const auto c = generate_tokens(toy_params(12));
  REQUIRE(a.size() == 201);  // start token + 200
  CHECK(a == b);
  CHECK(a != c);
}

TEST_CASE("with the grammar on every sequence is legal - with it off invalid tokens are reported, not fatal") {
  GenerationParams p = toy_params(3, 400);
  ToyModel model;
  ToyScheme scheme;
  GenerationSession on(model, scheme, p);
  on.start({});
  on.run();
  CHECK(on.candidates()[0].invalid_positions.empty());
  CHECK(all_legal(on.candidates()[0].tokens));

  p.use_grammar = false;
  GenerationSession off(model, scheme, p);
  off.start({});
  off.run();
  const auto& t = off.candidates()[0];
  CHECK(t.generated() == 400);
  // The toy model is uniform-ish over 11 tokens of which PAD is always illegal: invalid tokens must occur.
  CHECK(t.invalid_positions.size() > 10);
  CHECK(!all_legal(t.tokens));
  // Dropping the reported tokens leaves a sequence the grammar accepts.
  CHECK(all_legal(t.valid_tokens()));
  CHECK(t.valid_tokens().size() == t.tokens.size() - t.invalid_positions.size());
}

TEST_CASE("entropy and log-probability are recorded for every generated token") {
  ToyModel model;
  ToyScheme scheme;
  GenerationSession s(model, scheme, toy_params(5, 50));
  s.start({});
  s.run();
  const auto& t = s.candidates()[0];
  REQUIRE(t.entropy.size() == 50);
  REQUIRE(t.log_prob.size() == 50);
  for (std::size_t i = 0; i < 50; ++i) {
    CHECK(t.entropy[i] > 0.0f);
    CHECK(t.entropy[i] <= Approx(std::log(11.0)));
    CHECK(t.log_prob[i] < 0.0f);
  }
}

TEST_CASE("should_abort stops within one token and keeps the partial take") {
  ToyModel model;
  ToyScheme scheme;
  GenerationParams p = toy_params(9, 1000);
  p.candidates = 3;
  GenerationSession s(model, scheme, p);
  s.start({});
  int tokens_seen = 0;
  GenerationCallbacks cb;
  cb.on_token = [&](int, int, std::int64_t) { ++tokens_seen; };
  cb.should_abort = [&] { return tokens_seen >= 3 * 17; };
  CHECK(s.run(cb) == StopReason::Aborted);
  for (const auto& t : s.candidates()) {
    CHECK(t.generated() == 17);
    CHECK(t.stopped == StopReason::Aborted);
  }
  // The partial take is the prefix of the full one.
  const auto full = generate_tokens([&] { auto q = p; q.candidates = 1; return q; }());
  const auto& part = s.candidates()[0].tokens;
  CHECK(std::equal(part.begin(), part.end(), full.begin()));
}

TEST_CASE("candidates: prompt consumed once at batch 1 - each candidate equals its single-candidate take") {
  ToyModel model;
  ToyScheme scheme;
  const std::vector<int> prompt = {spe::test::kBar, spe::test::kBeat0, spe::test::kNote0, spe::test::kBar};
  GenerationParams p = toy_params(21, 120);
  p.candidates = 4;
  GenerationSession s(model, scheme, p);
  s.start(prompt);
  s.run();
  CHECK(model.steps_at_batch1 == static_cast<int>(prompt.size()));
  CHECK(model.steps_batched == 120);
  std::set<std::vector<int>> distinct;
  for (int c = 0; c < 4; ++c) {
    GenerationParams single = p;
    single.candidates = 1;
    single.first_candidate = c;
    const auto alone = generate_tokens(single, prompt);
    CHECK(s.candidates()[c].tokens == alone);
    CHECK(s.candidates()[c].sampler_index == c);
    distinct.insert(alone);
  }
  CHECK(distinct.size() == 4);
}

TEST_CASE("rewind to a bar: the prefix is restored exactly and the original stream replays - a re-roll differs") {
  ToyModel model;
  ToyScheme scheme;
  GenerationParams p = toy_params(33, 300);
  p.candidates = 2;
  GenerationSession s(model, scheme, p);
  s.start({});
  s.run();
  for (int c = 0; c < 2; ++c) {
    const auto& original = s.candidates()[c].tokens;
    const auto points = s.rewind_points(c);
    REQUIRE(points.size() > 3);
    const int bar = points[points.size() / 2];
    const int steps_before = model.steps_at_batch1 + model.steps_batched;

    auto replay = s.rewind(c, bar);
    // Nothing was recomputed to restore the prefix.
    CHECK(model.steps_at_batch1 + model.steps_batched == steps_before);
    const auto prefix = replay->candidates()[0].tokens;
    REQUIRE(prefix.size() < original.size());
    CHECK(std::equal(prefix.begin(), prefix.end(), original.begin()));
    CHECK(prefix.back() == spe::test::kBar);  // the rewind point is right after the bar's first token
    replay->run();
    CHECK(replay->candidates()[0].tokens == original);
    CHECK(replay->candidates()[0].entropy == s.candidates()[c].entropy);

    auto reroll = s.rewind(c, bar, 777);
    reroll->run();
    const auto& rerolled = reroll->candidates()[0].tokens;
    REQUIRE(rerolled.size() == original.size());
    CHECK(std::equal(prefix.begin(), prefix.end(), rerolled.begin()));
    CHECK(rerolled != original);
    // Re-rolling is itself reproducible.
    auto again = s.rewind(c, bar, 777);
    again->run();
    CHECK(again->candidates()[0].tokens == rerolled);
  }
  CHECK_THROWS_WITH(s.rewind(0, 100000), Catch::Contains("no rewind point at bar 100000"));
}

TEST_CASE("bar snapshots are bounded: only the newest are kept (plus the prompt end)") {
  ToyModel model;
  ToyScheme scheme;
  GenerationParams p = toy_params(4, 3000);
  p.max_bar_snapshots = 5;
  GenerationSession s(model, scheme, p);
  s.start({});
  s.run();
  const auto points = s.rewind_points(0);
  CHECK(points.size() == 6);
  CHECK(points.front() == 0);
}

TEST_CASE("length in bars and seconds - EOS ends a candidate") {
  ToyModel model;
  ToyScheme scheme;
  SECTION("bars") {
    GenerationParams p = toy_params(8);
    p.length_unit = LengthUnit::Bars;
    p.length = 6;
    GenerationSession s(model, scheme, p);
    s.start({});
    CHECK(s.run() == StopReason::Length);
    ToyCursor cursor;
    for (int t : s.candidates()[0].tokens) cursor.advance(t);
    // Bars 0..5 are complete and bar 6 has just begun (its Bar token is the last one).
    CHECK(cursor.bar_index() == 6);
    CHECK(s.candidates()[0].tokens.back() == spe::test::kBar);
  }
  SECTION("seconds") {
    GenerationParams p = toy_params(8);
    p.length_unit = LengthUnit::Seconds;
    p.length = 9.0;
    GenerationSession s(model, scheme, p);
    s.start({});
    s.run();
    ToyCursor cursor;
    for (int t : s.candidates()[0].tokens) cursor.advance(t);
    CHECK(cursor.seconds() >= 9.0);
    cursor = ToyCursor{};
    const auto& tokens = s.candidates()[0].tokens;
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) cursor.advance(tokens[i]);
    CHECK(cursor.seconds() < 9.0);  // it stopped at the first token that reached the length
  }
  SECTION("EOS") {
    GenerationParams p = toy_params(8, 5000);
    p.stop_at_eos = true;
    GenerationSession s(model, scheme, p);
    s.start({});
    CHECK(s.run() == StopReason::EndOfSequence);
    CHECK(s.candidates()[0].tokens.back() == spe::test::kEos);
    CHECK(s.candidates()[0].generated() < 5000);
  }
}

TEST_CASE("a take that reaches its length is closed cleanly with the scheme's ending") {
  ToyModel model;
  ToyScheme scheme;
  GenerationParams p = toy_params(8, 1);
  p.end_cleanly = true;
  GenerationSession s(model, scheme, p);
  s.start({});  // one bar begun: the ending must open a second bar, then EOS
  CHECK(s.run() == StopReason::Length);
  const auto& t = s.candidates()[0];
  CHECK(t.stopped == StopReason::Length);
  REQUIRE(t.generated() >= 2);
  CHECK(t.tokens.back() == spe::test::kEos);
  CHECK(t.tokens[t.tokens.size() - 2] == spe::test::kBar);
  CHECK(all_legal(t.tokens));
}

TEST_CASE("progress is reported and reaches 1") {
  ToyModel model;
  ToyScheme scheme;
  GenerationSession s(model, scheme, toy_params(1, 40));
  s.start({});
  std::vector<double> seen;
  GenerationCallbacks cb;
  cb.on_progress = [&](double f) { seen.push_back(f); };
  s.run(cb);
  REQUIRE(seen.size() == 40);
  CHECK(std::is_sorted(seen.begin(), seen.end()));
  CHECK(seen.front() == Approx(1.0 / 40));
  CHECK(seen.back() == 1.0);
}

TEST_CASE("bad input is rejected with a message") {
  ToyModel model;
  ToyScheme scheme;
  GenerationParams p = toy_params(1);
  p.candidates = 0;
  CHECK_THROWS_WITH(GenerationSession(model, scheme, p), Catch::Contains("candidates"));
  GenerationSession s(model, scheme, toy_params(1));
  CHECK_THROWS_WITH(s.start(std::vector<int>{0, 99}), Catch::Contains("outside the vocabulary"));
}
