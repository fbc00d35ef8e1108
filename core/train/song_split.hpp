#pragma once
// Train/validation split by song. Each song's side is decided by a hash of (seed, song id), so the
// split depends only on the seed and the names — not on file order, platform or standard library —
// and adding a song never moves another one across.

#include <cstdint>
#include <string>
#include <vector>

namespace spe::train {

struct SongSplit {
  std::vector<std::size_t> train;       // indices into the song list, ascending
  std::vector<std::size_t> validation;  // ascending
};

// `val_fraction` of the songs (rounded up; at least one when there are ≥ 2 songs and the fraction is
// > 0; never all of them) go to validation: those with the smallest hash(seed, id).
SongSplit split_by_song(const std::vector<std::string>& song_ids, double val_fraction, std::uint64_t seed);

// 64-bit FNV-1a, used for split and cache keys (not for security).
std::uint64_t fnv1a64(const void* data, std::size_t size, std::uint64_t h = 0xcbf29ce484222325ULL);
std::uint64_t fnv1a64(const std::string& text, std::uint64_t h = 0xcbf29ce484222325ULL);

}  // namespace spe::train
