#include "train/song_split.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace spe::train {

std::uint64_t fnv1a64(const void* data, std::size_t size, std::uint64_t h) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    h ^= bytes[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint64_t fnv1a64(const std::string& text, std::uint64_t h) { return fnv1a64(text.data(), text.size(), h); }

namespace {
// FNV alone mixes the last bytes weakly; a final avalanche (splitmix64) makes the ordering uniform.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

SongSplit split_by_song(const std::vector<std::string>& song_ids, double val_fraction, std::uint64_t seed) {
  const std::size_t n = song_ids.size();
  std::size_t n_val = 0;
  if (n >= 2 && val_fraction > 0) {
    n_val = static_cast<std::size_t>(std::ceil(val_fraction * static_cast<double>(n) - 1e-9));
    n_val = std::clamp<std::size_t>(n_val, 1, n - 1);
  }
  std::vector<std::pair<std::uint64_t, std::size_t>> keyed(n);
  for (std::size_t i = 0; i < n; ++i) keyed[i] = {mix(fnv1a64(song_ids[i], mix(seed))), i};
  std::sort(keyed.begin(), keyed.end());
  SongSplit split;
  for (std::size_t k = 0; k < n; ++k) (k < n_val ? split.validation : split.train).push_back(keyed[k].second);
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.validation.begin(), split.validation.end());
  return split;
}

}  // namespace spe::train
