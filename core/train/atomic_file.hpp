#pragma once
// Atomic file replacement: write to a temporary sibling, flush, then rename over the target, so a
// crash or Ctrl-C never leaves a half-written file behind.

#include <filesystem>
#include <string_view>

namespace spe::train {

// Throws std::runtime_error naming the file on failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

}  // namespace spe::train
