#pragma once
// Which General MIDI soundfont FluidSynth loads.

#include <string>

namespace spe::playback {

// `user_choice` when it names a readable file; else the first of /usr/share/sounds/sf2/default-GM.sf2,
// FluidR3_GM.sf2, TimGM6mb.sf2 that is readable; else "".
std::string find_soundfont(const std::string& user_choice);

// One line for when find_soundfont found nothing: which Debian packages provide one.
std::string missing_soundfont_message();

}  // namespace spe::playback
