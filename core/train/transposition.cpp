#include "train/transposition.hpp"

#include <array>
#include <regex>
#include <stdexcept>

namespace spe::train {

void TranspositionTable::add_pitched(std::int32_t token, int group, int value, bool cyclic) {
  if (token < 0) throw std::invalid_argument("transposition: negative token id");
  if (static_cast<std::size_t>(token) >= entries_.size()) entries_.resize(static_cast<std::size_t>(token) + 1);
  if (group < 0) throw std::invalid_argument("transposition: negative group id");
  if (static_cast<std::size_t>(group) >= cyclic_.size()) cyclic_.resize(static_cast<std::size_t>(group) + 1, 0);
  cyclic_[static_cast<std::size_t>(group)] = cyclic;
  if (cyclic) value = ((value % 12) + 12) % 12;
  entries_[static_cast<std::size_t>(token)] = {group, value};
  lookup_[{group, value}] = token;
}

bool TranspositionTable::is_pitched(std::int32_t token) const {
  return token >= 0 && static_cast<std::size_t>(token) < entries_.size() &&
         entries_[static_cast<std::size_t>(token)].group >= 0;
}

std::int32_t TranspositionTable::target(const Entry& e, int shift) const {
  int v = e.value + shift;
  if (cyclic_[static_cast<std::size_t>(e.group)]) v = ((v % 12) + 12) % 12;
  auto it = lookup_.find({e.group, v});
  return it == lookup_.end() ? -1 : it->second;
}

bool TranspositionTable::can_transpose(const std::int32_t* begin, const std::int32_t* end, int shift) const {
  if (shift == 0) return true;
  for (const auto* t = begin; t != end; ++t)
    if (is_pitched(*t) && target(entries_[static_cast<std::size_t>(*t)], shift) < 0) return false;
  return true;
}

void TranspositionTable::transpose(std::int32_t* begin, std::int32_t* end, int shift) const {
  if (shift == 0) return;
  for (auto* t = begin; t != end; ++t)
    if (is_pitched(*t)) *t = target(entries_[static_cast<std::size_t>(*t)], shift);
}

int TranspositionTable::random_transpose(std::int32_t* begin, std::int32_t* end, int max_shift,
                                         std::mt19937_64& rng) const {
  if (max_shift <= 0 || empty()) return 0;
  const auto span = static_cast<std::uint64_t>(2 * max_shift + 1);
  for (int attempt = 0; attempt < 64; ++attempt) {
    // Modulo of a 64-bit draw: the bias is < 2^-58, and unlike std::uniform_int_distribution the result
    // is the same with every standard library (resume and tests rely on it).
    const int shift = static_cast<int>(rng() % span) - max_shift;
    if (can_transpose(begin, end, shift)) {
      transpose(begin, end, shift);
      return shift;
    }
  }
  return 0;
}

TranspositionTable TranspositionTable::from_token_names(const std::vector<std::string>& names,
                                                        const std::vector<int>& drum_tracks) {
  static const std::array<const char*, 12> kRoots = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
  static const std::regex note_pitch(R"(Note_Pitch_(\d+))");
  static const std::regex chord(R"(Chord_([A-G]#?)_(.+))");
  static const std::regex event(R"(note_(on|off)\((\d+),(\d+)\))");
  TranspositionTable table(names.size());
  std::map<std::string, int> groups;  // group name -> id
  auto group_id = [&](const std::string& name) {
    auto [it, inserted] = groups.emplace(name, static_cast<int>(groups.size()));
    return it->second;
  };
  std::smatch m;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto token = static_cast<std::int32_t>(i);
    const std::string& n = names[i];
    if (std::regex_match(n, m, note_pitch)) {
      table.add_pitched(token, group_id("Note_Pitch"), std::stoi(m[1]));
    } else if (std::regex_match(n, m, chord)) {
      for (int r = 0; r < 12; ++r)
        if (m[1] == kRoots[static_cast<std::size_t>(r)])
          table.add_pitched(token, group_id("Chord_" + m[2].str()), r, /*cyclic=*/true);
    } else if (std::regex_match(n, m, event)) {
      const int track = std::stoi(m[2]);
      bool drum = false;
      for (int d : drum_tracks) drum |= d == track;
      if (!drum) table.add_pitched(token, group_id("note_" + m[1].str() + "_" + m[2].str()), std::stoi(m[3]));
    }
  }
  return table;
}

}  // namespace spe::train
