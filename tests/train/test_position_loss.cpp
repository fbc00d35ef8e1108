#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "train/position_loss.hpp"

using namespace spe::train;

// Hand-computed example: song A has 6 positions, song B 3; train_len 4, buckets of 2.
TEST_CASE("position buckets and trained/extrapolation statistics match a hand computation") {
  PositionLossAccumulator acc;
  acc.add_song({1, 2, 3, 4, 5, 6});
  acc.add_song({3, 3, 3});
  acc.add_song({});  // an empty song counts nowhere
  auto r = acc.report(4, 2);
  // trained: per-song means A = (1+2+3+4)/4 = 2.5, B = 3 → mean 2.75, sample std sqrt(0.125)
  CHECK(r.trained.mean == Approx(2.75));
  CHECK(r.trained.std == Approx(std::sqrt(0.125)));
  CHECK(r.trained.songs == 2);
  CHECK(r.trained.tokens == 7);
  // extrapolation: only A has positions 4, 5 → 5.5, one song so std 0
  CHECK(r.extrapolation.mean == Approx(5.5));
  CHECK(r.extrapolation.std == 0);
  CHECK(r.extrapolation.songs == 1);
  CHECK(r.extrapolation.tokens == 2);
  REQUIRE(r.buckets.size() == 3);
  // [0,2): tokens 1,2,3,3 → 2.25; per-song means 1.5, 3 → std sqrt(2·0.75²) = 1.06066
  CHECK(r.buckets[0].begin == 0);
  CHECK(r.buckets[0].end == 2);
  CHECK(r.buckets[0].stats.mean == Approx(2.25));
  CHECK(r.buckets[0].stats.std == Approx(1.0606601718));
  // [2,4): tokens 3,4,3 → 10/3; per-song 3.5, 3
  CHECK(r.buckets[1].stats.mean == Approx(10.0 / 3));
  CHECK(r.buckets[1].stats.tokens == 3);
  CHECK(r.buckets[1].stats.std == Approx(std::sqrt(0.125)));
  CHECK(r.buckets[2].stats.mean == Approx(5.5));
  CHECK(r.buckets[2].stats.songs == 1);

  auto j = nlohmann::json::parse(r.to_json());
  CHECK(j["train_len"] == 4);
  CHECK(j["trained"]["mean"].get<double>() == Approx(2.75));
  CHECK(j["extrapolation"]["std"].get<double>() == 0);
  CHECK(j["buckets"].size() == 3);
  CHECK(j["buckets"][1]["begin"] == 2);
  CHECK(r.to_json().find('\n') == std::string::npos);  // one line

  const std::string csv = r.to_csv();
  CHECK(csv.rfind("begin,end,mean,std,songs,tokens,region\n", 0) == 0);
  CHECK(csv.find("4,6,5.5,0,1,2,extrapolation") != std::string::npos);
}

TEST_CASE("a model evaluated only inside its training length has an empty extrapolation range") {
  PositionLossAccumulator acc;
  acc.add_song({2, 2});
  auto r = acc.report(8, 64);
  CHECK(r.extrapolation.songs == 0);
  CHECK(r.extrapolation.tokens == 0);
  CHECK(r.trained.mean == 2);
  CHECK(r.buckets.size() == 1);
  CHECK_THROWS(acc.report(8, 0));
}
