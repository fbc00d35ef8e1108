#pragma once
// Loss as a function of position (the paper's Figure 3 / Table 6). Position i is the index of the input
// token whose next token is predicted (the model has seen i+1 tokens); positions < train_len are
// "trained", the others "extrapolation". A song contributes only where it has tokens.
//
// Statistics: a range's mean and std are taken over *songs* — each song's mean loss over its positions in
// the range, then the mean and the sample standard deviation (n−1) of those per-song means — as in the
// paper's Table 6 ("mean and standard deviation over all sequences"). Bucket means are token-weighted
// (every (song, position) pair counts once), bucket std is again over per-song bucket means.

#include <cstddef>
#include <string>
#include <vector>

namespace spe::train {

struct LossStats {
  double mean = 0;
  double std = 0;           // 0 when fewer than 2 songs
  std::size_t songs = 0;    // songs with at least one position in the range
  std::size_t tokens = 0;   // (song, position) pairs in the range
};

struct LossBucket {
  std::size_t begin = 0;  // first position
  std::size_t end = 0;    // one past the last position
  LossStats stats;        // stats.mean token-weighted, stats.std over songs
};

struct PositionLossReport {
  std::size_t train_len = 0;
  std::size_t bucket = 64;
  LossStats trained;
  LossStats extrapolation;
  std::vector<LossBucket> buckets;  // only buckets with tokens
  std::string to_json() const;      // one line: {"train_len":…, "trained":{…}, "extrapolation":{…}, "buckets":[…]}
  std::string to_csv() const;       // header + one row per bucket
};

class PositionLossAccumulator {
 public:
  // Per-position losses of one song (index = position).
  void add_song(const std::vector<double>& losses);
  std::size_t songs() const { return songs_.size(); }
  PositionLossReport report(std::size_t train_len, std::size_t bucket) const;

 private:
  std::vector<std::vector<double>> songs_;
};

// Mean and sample std of values (helper, exposed for tests).
LossStats mean_std(const std::vector<double>& values);

}  // namespace spe::train
