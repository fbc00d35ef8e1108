#pragma once
// SHA-256 (FIPS 180-4) for checkpoint integrity: small enough to own, avoids an OpenSSL dependency.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace spe::io {

class Sha256 {
 public:
  // Auto uses the CPU's SHA extensions when present (≈10× faster: a 300 MB model hashes in a fraction
  // of a second); Portable forces the plain C++ rounds (tests compare the two).
  enum class Engine { Auto, Portable };
  explicit Sha256(Engine engine = Engine::Auto);
  static bool hardware_available();
  void update(std::span<const std::byte> data);
  void update(std::string_view text);
  // Finishes the hash; the object must not be updated afterwards.
  std::array<std::uint8_t, 32> digest();
  std::string hex_digest();  // 64 lowercase hex characters

 private:
  void compress(const std::uint8_t* blocks, std::size_t count);
  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
  bool finished_ = false;
  bool hardware_ = false;
};

std::string sha256_hex(std::string_view text);
// Streams the file in fixed-size chunks (bounded memory); throws std::runtime_error naming the file.
std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace spe::io
