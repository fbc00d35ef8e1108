#pragma once
// CSV log of a training run: one row per optimiser step (validation loss filled on validation steps).
// A resumed run first drops the rows after its checkpoint, so the log always describes one run.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>

namespace spe::train {

struct LogRow {
  std::int64_t step = 0;
  std::uint64_t epoch = 0;
  double lr = 0;
  double train_loss = 0;
  std::optional<double> val_loss;
  double tokens_per_s = 0;
  double elapsed_s = 0;
};

class TrainLog {
 public:
  // Opens (creating it with a header if needed). With `keep_until_step`, rows with a larger step are
  // removed first (rewritten atomically).
  explicit TrainLog(const std::filesystem::path& path, std::optional<std::int64_t> keep_until_step = std::nullopt);
  void append(const LogRow& row);  // flushed at once: a killed run keeps its log

  static constexpr const char* kHeader = "step,epoch,lr,train_loss,val_loss,tokens_per_s,elapsed_s";

 private:
  std::ofstream out_;
};

}  // namespace spe::train
