#pragma once
// Counter-based Gaussian noise: the values depend only on (key, element index), never on what was drawn
// before. This is what lets a generation at any position re-create exactly the SPE noise the parallel
// forward used (DESIGN.md §3) without a buffer that grows with the length, on any device (the values are
// computed on the CPU in double precision, then rounded once to the target type).

#include <cstdint>

namespace spe::model {

// SplitMix64 finaliser: a bijective 64-bit mixer with full avalanche.
constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// One key from a seed and a path of identifiers (stream, index, ...).
constexpr std::uint64_t derive_key(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0) {
  return splitmix64(splitmix64(splitmix64(seed) ^ a) ^ (b * 0xd1b54a32d192ed03ULL));
}

// Standard normal values for elements [0, count) of the stream `key` (Box–Muller on SplitMix64 output).
void keyed_normals(std::uint64_t key, double* out, std::int64_t count);
void keyed_normals(std::uint64_t key, float* out, std::int64_t count);

}  // namespace spe::model
