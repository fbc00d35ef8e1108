#pragma once
// Learning-rate schedule: linear warm-up then cosine decay to a floor. LibTorch 1.13 ships only StepLR,
// so the trainer sets the rate of every parameter group from this function before each optimiser step.

#include <cstdint>

namespace spe::train {

struct LrSchedule {
  double peak_lr = 2e-4;
  double min_lr = 5e-6;
  std::int64_t warmup_steps = 200;
  std::int64_t total_steps = 10000;  // cosine reaches min_lr here and stays there afterwards

  // Rate for the 1-based optimiser step `step`: step/warmup·peak during warm-up (step 1 already
  // trains, unlike a schedule that starts at 0), then min + (peak−min)·(1+cos(π·t))/2 with
  // t = (step−warmup)/(total−warmup) clamped to [0, 1] (no periodic rise, unlike the reference's
  // closed-form CosineAnnealingLR past T_max).
  double at(std::int64_t step) const;
};

}  // namespace spe::train
