#include "train/train_log.hpp"

#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <string>

#include "io/atomic_file.hpp"

namespace spe::train {

TrainLog::TrainLog(const std::filesystem::path& path, std::optional<std::int64_t> keep_until_step) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  if (std::filesystem::exists(path) && keep_until_step) {
    std::ifstream in(path);
    std::ostringstream kept;
    std::string line;
    bool header = true;
    while (std::getline(in, line)) {
      if (header) {
        header = false;
        if (line != kHeader) throw std::runtime_error(path.string() + ": not a training log");
        kept << line << '\n';
        continue;
      }
      if (line.empty()) continue;
      try {
        if (std::stoll(line.substr(0, line.find(','))) <= *keep_until_step) kept << line << '\n';
      } catch (const std::exception&) {
        // a row cut short by a kill: dropped
      }
    }
    io::write_file_atomically(path, kept.str());
  }
  const bool fresh = !std::filesystem::exists(path) || std::filesystem::file_size(path) == 0;
  if (!keep_until_step && !fresh) std::filesystem::remove(path);
  out_.open(path, std::ios::app);
  if (!out_) throw std::runtime_error(path.string() + ": cannot open training log");
  if (fresh || !keep_until_step) out_ << kHeader << '\n' << std::flush;
}

void TrainLog::append(const LogRow& r) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%lld,%llu,%.9g,%.7g,", static_cast<long long>(r.step),
                static_cast<unsigned long long>(r.epoch), r.lr, r.train_loss);
  out_ << buf;
  if (r.val_loss) {
    std::snprintf(buf, sizeof buf, "%.7g", *r.val_loss);
    out_ << buf;
  }
  std::snprintf(buf, sizeof buf, ",%.1f,%.3f\n", r.tokens_per_s, r.elapsed_s);
  out_ << buf << std::flush;
}

}  // namespace spe::train
