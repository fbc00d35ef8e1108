#pragma once
// One seed drives every random draw of a take. Each consumer (sampler of candidate c, SPE noise, gating
// noise, FAVOR+ features, a re-roll after a rewind) gets its own sub-seed derived deterministically from
// (seed, purpose, index) with SplitMix64, so streams never overlap and adding a consumer changes no other.

#include <cstdint>
#include <string_view>

namespace spe::generate {

// One SplitMix64 output for state `x` (Steele, Lea & Flood 2014): a bijective 64-bit mixer.
std::uint64_t splitmix64(std::uint64_t x);

// Sub-seed for `purpose` (a short fixed label such as "sampler") and an index (e.g. the candidate).
std::uint64_t derive_seed(std::uint64_t seed, std::string_view purpose, std::uint64_t index = 0);

// Small, fast, copyable generator (xoshiro256**), seeded through SplitMix64. Copying it snapshots the
// stream, which is how a rewind restores the sampler exactly.
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0);
  std::uint64_t next();
  // Uniform double in [0, 1) with 53 random bits.
  double uniform();
  bool operator==(const Rng&) const = default;

 private:
  std::uint64_t s_[4];
};

}  // namespace spe::generate
