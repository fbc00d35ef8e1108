#pragma once
// Builds MIDI file bytes by hand, so that tests can state exactly what is on disk.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace spe::test {

using Bytes = std::vector<std::uint8_t>;

inline void append(Bytes& out, std::initializer_list<int> bytes) {
  for (int b : bytes) out.push_back(static_cast<std::uint8_t>(b));
}
inline void append(Bytes& out, const Bytes& more) { out.insert(out.end(), more.begin(), more.end()); }
inline void append_be32(Bytes& out, std::uint32_t v) {
  append(out, {int(v >> 24) & 255, int(v >> 16) & 255, int(v >> 8) & 255, int(v) & 255});
}

inline Bytes chunk(const std::string& id, const Bytes& body, long declared_length = -1) {
  Bytes out(id.begin(), id.end());
  append_be32(out, declared_length < 0 ? static_cast<std::uint32_t>(body.size())
                                       : static_cast<std::uint32_t>(declared_length));
  append(out, body);
  return out;
}

inline Bytes header(int format, int ntracks, int division) {
  return chunk("MThd", {0, static_cast<std::uint8_t>(format), static_cast<std::uint8_t>(ntracks >> 8),
                        static_cast<std::uint8_t>(ntracks), static_cast<std::uint8_t>(division >> 8),
                        static_cast<std::uint8_t>(division)});
}

inline Bytes smf(int format, int division, std::initializer_list<Bytes> track_bodies) {
  Bytes out = header(format, static_cast<int>(track_bodies.size()), division);
  for (const auto& body : track_bodies) append(out, chunk("MTrk", body));
  return out;
}

}  // namespace spe::test
