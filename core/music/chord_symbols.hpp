#pragma once
// Chord symbols as text: Pop1K7-style marker text "root_quality_bass" (e.g. "G#_M7_G#", "N_N_N"),
// the REMI qualities and their interval templates, and pitch-class names.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "music/score.hpp"

namespace spe::music {

// The 11 REMI chord qualities in the order of the paper's vocabulary ("+", "/o7", "7", "M", ...).
const std::vector<std::string>& chord_qualities();

// Pitch classes (relative to the root) of a REMI quality, e.g. "m7" → {0, 3, 7, 10}; empty for unknown.
std::vector<int> chord_intervals(std::string_view quality);

// "C", "C#", ... "B" (sharps, as Pop1K7 and REMI spell them); -1 → "N".
std::string pitch_class_name(int pitch_class);
// "C", "c#", "Db", "B#", "Fb"... → 0..11, or nullopt.
std::optional<int> parse_pitch_class(std::string_view name);

// Pop1K7 marker text → chord (tick 0). "N_N_N" (or "N_N", "N") → no chord. nullopt if the text is not
// a chord marker (e.g. "global_bpm_77").
std::optional<Chord> parse_chord_marker(std::string_view text);
// The inverse: "G#_M7_G#" (bass = root when unknown), "N_N_N" for no chord.
std::string chord_marker_text(const Chord& chord);
// REMI token suffix "G#_M7" / "N_N".
std::string chord_remi_name(const Chord& chord);

}  // namespace spe::music
