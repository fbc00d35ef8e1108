#include <catch2/catch.hpp>

#include "train/lr_schedule.hpp"

using spe::train::LrSchedule;

TEST_CASE("warm-up is linear and reaches the peak at the last warm-up step") {
  LrSchedule s{.peak_lr = 1e-3, .min_lr = 1e-5, .warmup_steps = 100, .total_steps = 1100};
  CHECK(s.at(1) == Approx(1e-5));
  CHECK(s.at(50) == Approx(5e-4));
  CHECK(s.at(100) == Approx(1e-3));
  CHECK(s.at(0) == Approx(s.at(1)));  // steps are 1-based; 0 is clamped
}

TEST_CASE("cosine decay hits the midpoint halfway and the floor at the end, then stays there") {
  LrSchedule s{.peak_lr = 1e-3, .min_lr = 1e-5, .warmup_steps = 100, .total_steps = 1100};
  CHECK(s.at(600) == Approx((1e-3 + 1e-5) / 2));
  // a quarter of the way: min + (peak-min)(1+cos(pi/4))/2
  CHECK(s.at(350) == Approx(1e-5 + (1e-3 - 1e-5) * (1 + std::sqrt(0.5)) / 2));
  CHECK(s.at(1100) == Approx(1e-5));
  CHECK(s.at(5000) == Approx(1e-5));
  for (int step = 101; step < 1100; ++step) CHECK(s.at(step + 1) <= s.at(step));
}

TEST_CASE("no warm-up starts at the peak") {
  LrSchedule s{.peak_lr = 4e-4, .min_lr = 2e-5, .warmup_steps = 0, .total_steps = 10};
  CHECK(s.at(1) == Approx(2e-5 + (4e-4 - 2e-5) * (1 + std::cos(M_PI / 10)) / 2));
  CHECK(s.at(10) == Approx(2e-5));
}
