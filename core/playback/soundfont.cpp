#include "playback/soundfont.hpp"

#include <fstream>

namespace spe::playback {
namespace {

bool readable_file(const std::string& path) {
  if (path.empty()) return false;
  std::ifstream in(path, std::ios::binary);
  char byte = 0;
  return in && in.read(&byte, 1);  // a folder opens but cannot be read
}

}  // namespace

std::string find_soundfont(const std::string& user_choice) {
  if (readable_file(user_choice)) return user_choice;
  for (const char* candidate : {"/usr/share/sounds/sf2/default-GM.sf2", "/usr/share/sounds/sf2/FluidR3_GM.sf2",
                                "/usr/share/sounds/sf2/TimGM6mb.sf2"})
    if (readable_file(candidate)) return candidate;
  return "";
}

std::string missing_soundfont_message() {
  return "no General MIDI soundfont found in /usr/share/sounds/sf2: install one "
         "(sudo apt install fluid-soundfont-gm, or the smaller timgm6mb-soundfont) or choose a .sf2 file";
}

}  // namespace spe::playback
