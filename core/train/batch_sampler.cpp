#include "train/batch_sampler.hpp"

#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>
#include <stdexcept>

namespace spe::train {

std::size_t TokenBatch::target_count() const {
  std::size_t n = 0;
  for (auto t : targets) n += t != kIgnoreTarget;
  return n;
}

void portable_shuffle(std::vector<std::size_t>& v, std::mt19937_64& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng() % i]);
}

BatchSampler::BatchSampler(std::vector<const TokenSeq*> songs, SamplerOptions options, TranspositionTable table)
    : songs_(std::move(songs)), options_(options), table_(std::move(table)), rng_(options.seed) {
  if (songs_.empty()) throw std::invalid_argument("no training songs");
  if (options_.batch < 1 || options_.seq_len < 1) throw std::invalid_argument("batch and seq_len must be ≥ 1");
  start_epoch();
}

void BatchSampler::start_epoch() {
  order_.resize(songs_.size());
  std::iota(order_.begin(), order_.end(), std::size_t{0});
  portable_shuffle(order_, rng_);
  cursor_ = 0;
}

TokenBatch BatchSampler::next() {
  const int n = options_.seq_len;
  TokenBatch b;
  b.batch = options_.batch;
  b.seq_len = n;
  b.inputs.assign(static_cast<std::size_t>(b.batch) * n, options_.pad_id);
  b.targets.assign(static_cast<std::size_t>(b.batch) * n, kIgnoreTarget);
  std::vector<std::int32_t> window;
  for (int row = 0; row < b.batch; ++row) {
    if (cursor_ == order_.size()) {
      ++epoch_;
      start_epoch();
    }
    const TokenSeq& song = *songs_[order_[cursor_++]];
    const std::size_t want = static_cast<std::size_t>(n) + 1;
    std::size_t start = 0;
    if (song.size() > want) start = rng_() % (song.size() - want + 1);
    const std::size_t len = std::min(want, song.size());
    window.assign(song.begin() + static_cast<std::ptrdiff_t>(start),
                  song.begin() + static_cast<std::ptrdiff_t>(start + len));
    b.shifts.push_back(table_.random_transpose(window.data(), window.data() + window.size(), options_.max_transpose, rng_));
    auto* in = b.inputs.data() + static_cast<std::size_t>(row) * n;
    auto* tg = b.targets.data() + static_cast<std::size_t>(row) * n;
    for (std::size_t i = 0; i + 1 < len; ++i) {
      in[i] = window[i];
      tg[i] = window[i + 1];
    }
    if (len == 1) in[0] = window[0];
  }
  return b;
}

std::string BatchSampler::state_json() const {
  std::ostringstream rng;
  rng << rng_;
  nlohmann::json j = {{"epoch", epoch_}, {"cursor", cursor_}, {"order", order_}, {"rng", rng.str()},
                      {"songs", songs_.size()}, {"batch", options_.batch}, {"seq_len", options_.seq_len}};
  return j.dump();
}

void BatchSampler::restore_state(const std::string& text) {
  const auto j = nlohmann::json::parse(text);
  if (j.at("songs").get<std::size_t>() != songs_.size() || j.at("batch").get<int>() != options_.batch ||
      j.at("seq_len").get<int>() != options_.seq_len)
    throw std::runtime_error("data position was saved for a different data set, batch size or sequence length");
  epoch_ = j.at("epoch").get<std::uint64_t>();
  cursor_ = j.at("cursor").get<std::size_t>();
  order_ = j.at("order").get<std::vector<std::size_t>>();
  std::istringstream rng(j.at("rng").get<std::string>());
  rng >> rng_;
  if (!rng || order_.size() != songs_.size() || cursor_ > order_.size())
    throw std::runtime_error("damaged data position in training state");
}

}  // namespace spe::train
