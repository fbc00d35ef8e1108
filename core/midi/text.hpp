#pragma once
// Text in MIDI meta events has no declared encoding: real files hold ASCII, UTF-8, Latin-1 or Shift-JIS.

#include <cstdint>
#include <span>
#include <string>

namespace spe::midi {

// The bytes as UTF-8: kept when they already are valid UTF-8, otherwise read as Latin-1 (every byte
// is a character, so nothing is lost and the result is always valid UTF-8).
std::string text_to_utf8(std::span<const std::uint8_t> bytes);

}  // namespace spe::midi
