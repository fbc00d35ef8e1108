#include <catch2/catch.hpp>
#include <set>

#include "train/song_split.hpp"

using spe::train::split_by_song;

namespace {
std::vector<std::string> names(int n) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) ids.push_back("song_" + std::to_string(i) + "/take.mid");
  return ids;
}
}  // namespace

TEST_CASE("split sizes follow the fraction (rounded up) and cover every song once") {
  auto ids = names(909);
  auto split = split_by_song(ids, 0.05, 7);
  CHECK(split.validation.size() == 46);  // ceil(45.45)
  CHECK(split.train.size() == 909 - 46);
  std::set<std::size_t> all(split.train.begin(), split.train.end());
  all.insert(split.validation.begin(), split.validation.end());
  CHECK(all.size() == 909);
}

TEST_CASE("split is deterministic for a seed, independent of order, and changes with the seed") {
  auto ids = names(200);
  auto a = split_by_song(ids, 0.05, 1);
  auto b = split_by_song(ids, 0.05, 1);
  CHECK(a.validation == b.validation);
  std::vector<std::string> reversed(ids.rbegin(), ids.rend());
  auto r = split_by_song(reversed, 0.05, 1);
  std::set<std::string> va, vr;
  for (auto i : a.validation) va.insert(ids[i]);
  for (auto i : r.validation) vr.insert(reversed[i]);
  CHECK(va == vr);
  auto c = split_by_song(ids, 0.05, 2);
  CHECK(c.validation != a.validation);
}

TEST_CASE("adding songs never moves an existing song from validation to train") {
  auto small = names(100);
  auto big = names(150);
  auto s = split_by_song(small, 0.1, 3);
  auto b = split_by_song(big, 0.1, 3);
  std::set<std::size_t> big_val(b.validation.begin(), b.validation.end());
  // 10 of 100 → 15 of 150: the 15 smallest hashes include the 10 smallest of the first 100.
  for (auto i : s.validation) CHECK(big_val.count(i) == 1);
}

TEST_CASE("tiny corpora keep at least one song on each side") {
  CHECK(split_by_song(names(1), 0.05, 0).validation.empty());
  auto two = split_by_song(names(2), 0.05, 0);
  CHECK(two.validation.size() == 1);
  CHECK(two.train.size() == 1);
  CHECK(split_by_song(names(3), 1.0, 0).train.size() == 1);
  CHECK(split_by_song(names(10), 0.0, 0).validation.empty());
}
