#pragma once
// Where tests find their inputs. Real corpora live in ../shared/data beside the checkout; a test that
// needs one calls `shared_data_or_skip`, which reports the skip visibly instead of passing silently.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace spe::test {

std::filesystem::path test_data_dir();    // tests/data (committed fixtures)
std::filesystem::path source_dir();       // repository root
std::filesystem::path binary_dir();       // CMake build root
std::filesystem::path spe_cli();          // the built `spe` executable
std::filesystem::path scratch_dir(const std::string& name);  // fresh empty folder under the build dir

// The shared corpus folder `name` (e.g. "pop909"), or nullopt after printing a visible SKIPPED warning.
// SPE_SHARED_DATA in the environment overrides the configured location.
std::optional<std::filesystem::path> shared_data(const std::string& name);

}  // namespace spe::test
