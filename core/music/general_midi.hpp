#pragma once
// General MIDI Level 1 names, for displays (spe info, the GUI's track list).

#include <string>

namespace spe::music {

// "Acoustic Grand Piano" … "Gunshot" for programs 0..127; "" outside that range.
std::string gm_program_name(int program);
// GM family of a program: "Piano", "Chromatic Percussion", "Organ", "Guitar", "Bass", … (16 families).
std::string gm_family_name(int program);
// Scientific pitch name of a MIDI note number, sharps only: 60 → "C4", 61 → "C#4", 21 → "A0", 0 → "C-1".
std::string pitch_name(int pitch);

}  // namespace spe::music
