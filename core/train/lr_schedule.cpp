#include "train/lr_schedule.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace spe::train {

double LrSchedule::at(std::int64_t step) const {
  step = std::max<std::int64_t>(step, 1);
  if (warmup_steps > 0 && step <= warmup_steps)
    return peak_lr * static_cast<double>(step) / static_cast<double>(warmup_steps);
  const std::int64_t decay_steps = total_steps - warmup_steps;
  if (decay_steps <= 0) return peak_lr;
  const double t = std::clamp(static_cast<double>(step - warmup_steps) / static_cast<double>(decay_steps), 0.0, 1.0);
  return min_lr + (peak_lr - min_lr) * 0.5 * (1.0 + std::cos(std::numbers::pi * t));
}

}  // namespace spe::train
