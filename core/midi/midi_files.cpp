#include "midi/midi_files.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string>

namespace fs = std::filesystem;

namespace spe::midi {

std::vector<fs::path> list_midi_files(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw std::runtime_error(dir.string() + ": not a folder");
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink)) {
    if (!entry.is_regular_file()) continue;
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".mid" || ext == ".midi") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace spe::midi
