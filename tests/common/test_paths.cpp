#include "test_paths.hpp"

#include <catch2/catch.hpp>
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

}  // namespace spe::test
