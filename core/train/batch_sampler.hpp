#pragma once
// Training batches: random crops of seq_len+1 tokens (input = first seq_len, target = shifted by one)
// from the training songs, visited in a fresh random order every epoch, each crop transposed by a random
// valid shift. The sampler's whole state (epoch, cursor, RNG) serialises to JSON so a resumed run
// draws exactly the batches the uninterrupted run would have drawn.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "train/token_cache.hpp"
#include "train/transposition.hpp"

namespace spe::train {

inline constexpr std::int32_t kIgnoreTarget = -100;  // torch cross_entropy's default ignore_index

struct TokenBatch {
  int batch = 0;
  int seq_len = 0;
  std::vector<std::int32_t> inputs;   // batch × seq_len, row-major; short songs padded with pad_id
  std::vector<std::int32_t> targets;  // batch × seq_len; kIgnoreTarget where there is no target
  std::vector<int> shifts;            // transposition applied to each row
  std::size_t target_count() const;   // targets that are not ignored
};

struct SamplerOptions {
  int batch = 4;
  int seq_len = 256;
  std::int32_t pad_id = 0;
  int max_transpose = 0;   // ±semitones; 0 disables augmentation
  std::uint64_t seed = 0;
};

class BatchSampler {
 public:
  // `songs` must outlive the sampler (the sampler keeps pointers to the token sequences).
  BatchSampler(std::vector<const TokenSeq*> songs, SamplerOptions options, TranspositionTable table = {});

  TokenBatch next();

  std::uint64_t epoch() const { return epoch_; }
  const SamplerOptions& options() const { return options_; }
  std::string state_json() const;
  void restore_state(const std::string& json);  // throws on a state from another configuration

 private:
  void start_epoch();
  std::vector<const TokenSeq*> songs_;
  SamplerOptions options_;
  TranspositionTable table_;
  std::vector<std::size_t> order_;
  std::size_t cursor_ = 0;
  std::uint64_t epoch_ = 0;
  std::mt19937_64 rng_;
};

// Deterministic Fisher–Yates (std::shuffle's result differs between standard libraries).
void portable_shuffle(std::vector<std::size_t>& v, std::mt19937_64& rng);

}  // namespace spe::train
