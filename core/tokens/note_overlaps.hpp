#pragma once
// MIDI cannot represent two sounding notes of one pitch on one channel unambiguously (a note-off ends
// whichever the reader pairs it with), so both schemes normalise a part before encoding: of several
// notes of one pitch at one onset the longest is kept, and a note still sounding when the next note of
// its pitch starts is cut there. Both changes are counted in the report.

#include <vector>

#include "music/score.hpp"
#include "tokens/report.hpp"

namespace spe::tokens {

// Leaves `notes` sorted by (start, pitch, end, velocity).
void remove_same_pitch_overlaps(std::vector<music::Note>& notes, Report& report);

}  // namespace spe::tokens
