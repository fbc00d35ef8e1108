#include <catch2/catch.hpp>

#include "midi/text.hpp"
#include "music/general_midi.hpp"

using spe::midi::text_to_utf8;

namespace {
std::string utf8(std::initializer_list<int> bytes) {
  std::vector<std::uint8_t> v;
  for (int b : bytes) v.push_back(static_cast<std::uint8_t>(b));
  return text_to_utf8(v);
}
}  // namespace

TEST_CASE("meta-event text becomes valid UTF-8") {
  CHECK(utf8({'P', 'i', 'a', 'n', 'o'}) == "Piano");
  CHECK(utf8({0xC3, 0xA9, 't', 0xC3, 0xA9}) == "\xC3\xA9t\xC3\xA9");           // UTF-8 kept
  CHECK(utf8({0xE9, 't', 0xE9}) == "\xC3\xA9t\xC3\xA9");                        // Latin-1 converted
  CHECK(utf8({0xE3, 0x81, 0x82}) == "\xE3\x81\x82");                            // 3-byte sequence kept
  CHECK(utf8({0xC0, 0x80}) == "\xC3\x80\xC2\x80");                              // overlong: read as Latin-1
  CHECK(utf8({0xED, 0xA0, 0x80}) == "\xC3\xAD\xC2\xA0\xC2\x80");                // surrogate: read as Latin-1
  CHECK(utf8({'a', 0xE3, 0x81}) == "a\xC3\xA3\xC2\x81");                        // truncated sequence
  CHECK(utf8({}).empty());
}

TEST_CASE("General MIDI names") {
  using namespace spe::music;
  CHECK(gm_program_name(0) == "Acoustic Grand Piano");
  CHECK(gm_program_name(33) == "Electric Bass (finger)");
  CHECK(gm_program_name(40) == "Violin");
  CHECK(gm_program_name(127) == "Gunshot");
  CHECK(gm_program_name(128).empty());
  CHECK(gm_family_name(33) == "Bass");
  CHECK(gm_family_name(127) == "Sound Effects");
  CHECK(pitch_name(60) == "C4");
  CHECK(pitch_name(61) == "C#4");
  CHECK(pitch_name(21) == "A0");
  CHECK(pitch_name(0) == "C-1");
  CHECK(pitch_name(127) == "G9");
}
