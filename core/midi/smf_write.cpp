// Standard MIDI File writer: explicit status bytes (no running status), one end-of-track per track.
#include <atomic>
#include <fstream>
#include <string>
#include <unistd.h>

#include "midi/smf.hpp"

namespace spe::midi {
namespace {

void put16(std::vector<std::uint8_t>& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  put16(out, v >> 16);
  put16(out, v & 0xFFFF);
}
void put_varint(std::vector<std::uint8_t>& out, std::uint64_t v) {
  if (v > 0x0FFFFFFF) throw MidiError("cannot write a delta time or length above 2^28-1 (" + std::to_string(v) + ")");
  std::uint8_t buf[4];
  int n = 0;
  do {
    buf[n++] = static_cast<std::uint8_t>(v & 0x7F);
    v >>= 7;
  } while (v != 0);
  while (n > 1) out.push_back(buf[--n] | 0x80);
  out.push_back(buf[0]);
}

void write_track(std::vector<std::uint8_t>& out, const Track& track) {
  std::vector<std::uint8_t> body;
  std::uint64_t last = 0, end_tick = 0;
  for (const Event& ev : track.events) {
    if (ev.tick < last) throw MidiError("cannot write a track whose events are not sorted by tick");
    end_tick = ev.tick;
    if (ev.is_end_of_track()) continue;  // written once, at the end
    put_varint(body, ev.tick - last);
    last = ev.tick;
    switch (ev.kind) {
      case EventKind::Channel:
        if (ev.status < 0x80 || ev.status >= 0xF0) throw MidiError("invalid channel status byte");
        body.push_back(ev.status);
        body.push_back(ev.data1 & 0x7F);
        if (channel_data_bytes(ev.status) == 2) body.push_back(ev.data2 & 0x7F);
        break;
      case EventKind::Meta:
        body.push_back(0xFF);
        body.push_back(ev.meta_type);
        put_varint(body, ev.payload.size());
        body.insert(body.end(), ev.payload.begin(), ev.payload.end());
        break;
      case EventKind::SysEx:
        body.push_back(ev.status == 0xF7 ? 0xF7 : 0xF0);
        put_varint(body, ev.payload.size());
        body.insert(body.end(), ev.payload.begin(), ev.payload.end());
        break;
    }
  }
  put_varint(body, end_tick - last);
  body.insert(body.end(), {0xFF, meta::kEndOfTrack, 0x00});
  out.insert(out.end(), {'M', 'T', 'r', 'k'});
  put32(out, static_cast<std::uint32_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
}

}  // namespace

std::vector<std::uint8_t> serialize(const File& file) {
  if (file.ticks_per_beat < 1 || file.ticks_per_beat > 0x7FFF)
    throw MidiError("cannot write ticks_per_beat " + std::to_string(file.ticks_per_beat) + " (1..32767)");
  if (file.tracks.empty() || file.tracks.size() > kMaxTracks)
    throw MidiError("cannot write a MIDI file with " + std::to_string(file.tracks.size()) + " tracks");
  const int format = (file.format == 0 && file.tracks.size() == 1) ? 0 : file.format == 2 ? 2 : 1;
  std::vector<std::uint8_t> out{'M', 'T', 'h', 'd', 0, 0, 0, 6};
  put16(out, static_cast<std::uint32_t>(format));
  put16(out, static_cast<std::uint32_t>(file.tracks.size()));
  put16(out, static_cast<std::uint32_t>(file.ticks_per_beat));
  for (const Track& track : file.tracks) write_track(out, track);
  return out;
}

void write_file(const File& file, const std::filesystem::path& path) {
  const std::vector<std::uint8_t> bytes = serialize(file);
  // Write beside the target and rename over it, so a crash never leaves a half-written file.
  static std::atomic<unsigned> counter{0};
  std::filesystem::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw MidiError(path.string() + ": cannot create file");
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw MidiError(path.string() + ": write error");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw MidiError(path.string() + ": cannot replace file (" + ec.message() + ")");
  }
}

}  // namespace spe::midi
