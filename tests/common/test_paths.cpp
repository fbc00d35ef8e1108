#include "test_paths.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdlib>

#include "io/remove_tree.hpp"

namespace fs = std::filesystem;

namespace spe::test {

fs::path test_data_dir() { return SPE_TEST_DATA_DIR; }
fs::path source_dir() { return SPE_SOURCE_DIR; }
fs::path binary_dir() { return SPE_BINARY_DIR; }
fs::path spe_cli() { return binary_dir() / "app" / "spe"; }

fs::path scratch_dir(const std::string& name) {
  fs::path dir = binary_dir() / "test-scratch" / name;
  spe::io::remove_tree(dir);
  fs::create_directories(dir);
  return dir;
}

std::optional<fs::path> shared_data(const std::string& name) {
  fs::path root = SPE_SHARED_DATA_DIR;
  if (const char* env = std::getenv("SPE_SHARED_DATA")) root = env;
  fs::path dir = root / name;
  if (!fs::is_directory(dir)) {
    WARN("SKIPPED: shared corpus not found: " << dir.string());
    return std::nullopt;
  }
  return dir;
}

std::vector<fs::path> midi_files_under(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".mid" || ext == ".midi") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace spe::test
