#pragma once
// Helpers for writing hand-made (valid or deliberately broken) safetensors files in tests.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace spe::test {

// Writes: 8-byte little-endian length (the real header size unless overridden) | header | buffer.
inline void write_raw_safetensors(const std::filesystem::path& path, const std::string& header,
                                  const std::string& buffer, std::optional<std::uint64_t> length = std::nullopt) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const std::uint64_t n = length.value_or(header.size());
  for (int i = 0; i < 8; ++i) out.put(char((n >> (8 * i)) & 0xFF));
  out << header << buffer;
}

}  // namespace spe::test
