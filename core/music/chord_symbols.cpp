#include "music/chord_symbols.hpp"

#include <cctype>

namespace spe::music {

const std::vector<std::string>& chord_qualities() {
  static const std::vector<std::string> qualities{"+", "/o7", "7", "M", "M7", "m", "m7", "o", "o7", "sus2", "sus4"};
  return qualities;
}

std::vector<int> chord_intervals(std::string_view q) {
  if (q == "M") return {0, 4, 7};
  if (q == "m") return {0, 3, 7};
  if (q == "o") return {0, 3, 6};
  if (q == "+") return {0, 4, 8};
  if (q == "7") return {0, 4, 7, 10};
  if (q == "M7") return {0, 4, 7, 11};
  if (q == "m7") return {0, 3, 7, 10};
  if (q == "o7") return {0, 3, 6, 9};
  if (q == "/o7") return {0, 3, 6, 10};
  if (q == "sus2") return {0, 2, 7};
  if (q == "sus4") return {0, 5, 7};
  return {};
}

std::string pitch_class_name(int pc) {
  static const char* names[] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
  if (pc < 0 || pc > 11) return "N";
  return names[pc];
}

std::optional<int> parse_pitch_class(std::string_view name) {
  if (name.empty()) return std::nullopt;
  static const int base[] = {9, 11, 0, 2, 4, 5, 7};  // A B C D E F G
  const char letter = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  if (letter < 'A' || letter > 'G') return std::nullopt;
  int pc = base[letter - 'A'];
  for (char c : name.substr(1)) {
    if (c == '#') ++pc;
    else if (c == 'b') --pc;
    else return std::nullopt;
  }
  return ((pc % 12) + 12) % 12;
}

std::optional<Chord> parse_chord_marker(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t sep = text.find('_', start);
    parts.push_back(text.substr(start, sep == std::string_view::npos ? sep : sep - start));
    if (sep == std::string_view::npos) break;
    start = sep + 1;
  }
  if (parts.size() > 3) return std::nullopt;
  if (parts[0] == "N") {
    for (auto p : parts)
      if (p != "N") return std::nullopt;
    return Chord{};
  }
  if (parts.size() < 2) return std::nullopt;
  const auto root = parse_pitch_class(parts[0]);
  if (!root || chord_intervals(parts[1]).empty()) return std::nullopt;
  Chord chord;
  chord.root = *root;
  chord.quality = std::string(parts[1]);
  if (parts.size() == 3) {
    const auto bass = parse_pitch_class(parts[2]);
    if (!bass) return std::nullopt;
    chord.bass = (*bass == *root) ? -1 : *bass;
  }
  return chord;
}

std::string chord_marker_text(const Chord& chord) {
  if (chord.root < 0) return "N_N_N";
  return pitch_class_name(chord.root) + "_" + chord.quality + "_" +
         pitch_class_name(chord.bass < 0 ? chord.root : chord.bass);
}

std::string chord_remi_name(const Chord& chord) {
  if (chord.root < 0) return "N_N";
  return pitch_class_name(chord.root) + "_" + chord.quality;
}

}  // namespace spe::music
