// SHA-256 against the FIPS 180-2 appendix vectors and the system's sha256sum.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>

#include "io/sha256.hpp"
#include "spe_run.hpp"
#include "test_paths.hpp"

using spe::io::Sha256;
using spe::io::sha256_hex;

TEST_CASE("SHA-256 matches the FIPS 180-2 test vectors") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("SHA-256 gives the same digest however the input is split") {
  // Lengths around the 55/56/64-byte padding boundaries exercise both padding branches.
  for (std::size_t length : {0u, 1u, 55u, 56u, 57u, 63u, 64u, 65u, 119u, 120u, 128u, 1000u}) {
    std::string text;
    for (std::size_t i = 0; i < length; ++i) text.push_back(char('a' + (i * 7) % 26));
    const std::string whole = sha256_hex(text);
    for (std::size_t split : {std::size_t(0), length / 3, length / 2, length}) {
      Sha256 hash;
      hash.update(std::string_view(text).substr(0, split));
      hash.update(std::string_view(text).substr(split));
      CHECK(hash.hex_digest() == whole);
    }
  }
}

TEST_CASE("SHA-256 hardware and portable engines agree") {
  INFO("CPU SHA extensions: " << (Sha256::hardware_available() ? "used" : "absent"));
  std::string text;
  std::uint32_t x = 12345;
  for (int i = 0; i < 1 << 20; ++i) {
    x = x * 1664525u + 1013904223u;
    text.push_back(char(x >> 24));
  }
  for (std::size_t length : {std::size_t(0), std::size_t(64), std::size_t(1000), text.size()}) {
    Sha256 fast, portable(Sha256::Engine::Portable);
    fast.update(std::string_view(text).substr(0, length));
    portable.update(std::string_view(text).substr(0, length));
    CHECK(fast.hex_digest() == portable.hex_digest());
  }
  Sha256 portable(Sha256::Engine::Portable);
  portable.update("abc");
  CHECK(portable.hex_digest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("SHA-256 of a file agrees with sha256sum") {
  const auto dir = spe::test::scratch_dir("io_sha256");
  const auto path = dir / "blob.bin";
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 3 * 1024 * 1024 + 17; ++i) out.put(char((i * 131) ^ (i >> 9)));
  }
  const std::string ours = spe::io::sha256_file_hex(path);
  const auto sha256sum = spe::test::run_command("sha256sum " + spe::test::shell_quote(path));
  if (sha256sum.output.empty()) {
    WARN("SKIPPED comparison: sha256sum not available");
    return;
  }
  CHECK(ours == sha256sum.output.substr(0, 64));
  CHECK_THROWS_WITH(spe::io::sha256_file_hex(dir / "absent.bin"), Catch::Contains("absent.bin"));
}
