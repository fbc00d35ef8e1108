#pragma once
// What an encoder or decoder had to change or skip. Nothing is dropped or moved silently: every such
// event increments a counter whose key is a human-readable description, and one-off remarks
// (e.g. "time signature 3/4 at tick 0 encoded as 16-position bars") are kept as lines.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace spe::tokens {

struct Report {
  std::map<std::string, std::size_t> counts;  // description -> how many times
  std::vector<std::string> remarks;           // one-off facts, each a full sentence

  void count(const std::string& what, std::size_t n = 1) {
    if (n > 0) counts[what] += n;
  }
  std::size_t get(const std::string& what) const {
    auto it = counts.find(what);
    return it == counts.end() ? 0 : it->second;
  }
  void remark(std::string line) { remarks.push_back(std::move(line)); }
  bool empty() const { return counts.empty() && remarks.empty(); }
  // "N × description" for each counter, then the remarks.
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const auto& [what, n] : counts) out.push_back(std::to_string(n) + " x " + what);
    out.insert(out.end(), remarks.begin(), remarks.end());
    return out;
  }
  void merge(const Report& other) {
    for (const auto& [what, n] : other.counts) counts[what] += n;
    remarks.insert(remarks.end(), other.remarks.begin(), other.remarks.end());
  }
};

struct EncodeReport : Report {
  std::size_t notes_in = 0;       // notes in the input score
  std::size_t notes_encoded = 0;  // notes represented in the token sequence
};

struct DecodeReport : Report {
  std::size_t notes_out = 0;
};

}  // namespace spe::tokens
