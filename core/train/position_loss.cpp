#include "train/position_loss.hpp"

#include <cmath>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace spe::train {

LossStats mean_std(const std::vector<double>& values) {
  LossStats s;
  s.songs = values.size();
  if (values.empty()) return s;
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(values.size());
  if (values.size() > 1) {
    double ss = 0;
    for (double v : values) ss += (v - s.mean) * (v - s.mean);
    s.std = std::sqrt(ss / static_cast<double>(values.size() - 1));
  }
  return s;
}

void PositionLossAccumulator::add_song(const std::vector<double>& losses) {
  if (!losses.empty()) songs_.push_back(losses);
}

namespace {

// Per-song means over [begin, end) → stats over songs; plus the token-weighted mean and count.
LossStats range_stats(const std::vector<std::vector<double>>& songs, std::size_t begin, std::size_t end,
                      bool token_weighted_mean) {
  std::vector<double> per_song;
  double total = 0;
  std::size_t tokens = 0;
  for (const auto& song : songs) {
    if (song.size() <= begin) continue;
    const std::size_t stop = std::min(end, song.size());
    double sum = 0;
    for (std::size_t i = begin; i < stop; ++i) sum += song[i];
    per_song.push_back(sum / static_cast<double>(stop - begin));
    total += sum;
    tokens += stop - begin;
  }
  LossStats s = mean_std(per_song);
  s.tokens = tokens;
  if (token_weighted_mean && tokens > 0) s.mean = total / static_cast<double>(tokens);
  return s;
}

nlohmann::json stats_json(const LossStats& s) {
  return {{"mean", s.mean}, {"std", s.std}, {"songs", s.songs}, {"tokens", s.tokens}};
}

}  // namespace

PositionLossReport PositionLossAccumulator::report(std::size_t train_len, std::size_t bucket) const {
  if (bucket == 0) throw std::invalid_argument("bucket size must be ≥ 1");
  PositionLossReport r;
  r.train_len = train_len;
  r.bucket = bucket;
  std::size_t longest = 0;
  for (const auto& s : songs_) longest = std::max(longest, s.size());
  r.trained = range_stats(songs_, 0, train_len, false);
  r.extrapolation = range_stats(songs_, train_len, std::max(longest, train_len), false);
  for (std::size_t b = 0; b < longest; b += bucket) {
    LossBucket lb{b, std::min(b + bucket, longest), range_stats(songs_, b, b + bucket, true)};
    if (lb.stats.tokens > 0) r.buckets.push_back(lb);
  }
  return r;
}

std::string PositionLossReport::to_json() const {
  nlohmann::json buckets_json = nlohmann::json::array();
  for (const auto& b : buckets) {
    auto j = stats_json(b.stats);
    j["begin"] = b.begin;
    j["end"] = b.end;
    buckets_json.push_back(j);
  }
  nlohmann::json j = {{"train_len", train_len},
                      {"bucket", bucket},
                      {"trained", stats_json(trained)},
                      {"extrapolation", stats_json(extrapolation)},
                      {"buckets", buckets_json}};
  return j.dump();
}

std::string PositionLossReport::to_csv() const {
  std::ostringstream out;
  out << "begin,end,mean,std,songs,tokens,region\n" << std::setprecision(9);
  for (const auto& b : buckets)
    out << b.begin << ',' << b.end << ',' << b.stats.mean << ',' << b.stats.std << ',' << b.stats.songs << ','
        << b.stats.tokens << ',' << (b.begin < train_len ? "trained" : "extrapolation") << '\n';
  return out.str();
}

}  // namespace spe::train
