#include "generate/seed.hpp"

namespace spe::generate {

std::uint64_t splitmix64(std::uint64_t x) {
  std::uint64_t z = x + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::uint64_t derive_seed(std::uint64_t seed, std::string_view purpose, std::uint64_t index) {
  // FNV-1a of the label, then chain through SplitMix64 so that every input bit reaches every output bit.
  std::uint64_t label = 0xCBF29CE484222325ull;
  for (unsigned char c : purpose) label = (label ^ c) * 0x100000001B3ull;
  std::uint64_t h = splitmix64(seed);
  h = splitmix64(h ^ label);
  return splitmix64(h ^ splitmix64(index));
}

Rng::Rng(std::uint64_t seed) {
  // The standard SplitMix64 sequence from `seed`; it never yields the all-zero state xoshiro forbids.
  for (int i = 0; i < 4; ++i) s_[i] = splitmix64(seed + static_cast<std::uint64_t>(i) * 0x9E3779B97F4A7C15ull);
}

namespace {
inline std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

std::uint64_t Rng::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

}  // namespace spe::generate
