// Standard MIDI File reader. Tolerant where real files are sloppy (running status across meta/sysex
// events, missing end-of-track, chunk lengths past the end of the file, unknown chunks, trailing
// garbage, RIFF/RMID wrapping), strict where continuing would mean guessing (truncated events,
// invalid variable-length quantities, data bytes without a status).
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "midi/smf.hpp"

namespace spe::midi {
namespace {

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }
std::uint32_t le32(const std::uint8_t* p) {
  return (std::uint32_t{p[3]} << 24) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[1]} << 8) | p[0];
}

bool is_chunk_id(const std::uint8_t* p) {
  for (int i = 0; i < 4; ++i)
    if (p[i] < 0x20 || p[i] > 0x7E) return false;
  return true;
}

// The SMF bytes inside a RIFF "RMID" wrapper (the "data" chunk), or the input itself.
std::span<const std::uint8_t> unwrap_rmid(std::span<const std::uint8_t> bytes, const std::string& name) {
  if (bytes.size() < 12 || std::memcmp(bytes.data(), "RIFF", 4) != 0) return bytes;
  if (std::memcmp(bytes.data() + 8, "RMID", 4) != 0)
    throw MidiError(name + ": RIFF file is not RMID (not a MIDI file)");
  std::size_t pos = 12;
  while (pos + 8 <= bytes.size()) {
    const std::size_t len = le32(bytes.data() + pos + 4);
    const std::size_t avail = bytes.size() - pos - 8;
    if (std::memcmp(bytes.data() + pos, "data", 4) == 0) return bytes.subspan(pos + 8, std::min(len, avail));
    if (len > avail) break;
    pos += 8 + len + (len & 1);  // RIFF chunks are padded to even sizes
  }
  throw MidiError(name + ": RMID file has no \"data\" chunk");
}

class TrackReader {
 public:
  TrackReader(std::span<const std::uint8_t> data, const std::string& name, std::size_t track_index,
              bool clamped, std::size_t& event_budget)
      : data_(data), name_(name), track_(track_index), clamped_(clamped), budget_(event_budget) {}

  Track read() {
    Track track;
    std::uint64_t tick = 0;
    std::uint8_t running = 0;  // 0 = no running status yet
    while (pos_ < data_.size()) {
      tick += read_varint("delta time");
      if (budget_ == 0) fail("more events than the file's size allows");
      --budget_;
      Event ev;
      ev.tick = tick;
      std::uint8_t status = byte("event status");
      if (status < 0x80) {  // running status: this byte is the first data byte
        if (running == 0) fail("data byte 0x" + hex(status) + " without a preceding status byte");
        --pos_;
        status = running;
      }
      if (status < 0xF0) {
        running = status;
        ev.kind = EventKind::Channel;
        ev.status = status;
        ev.data1 = data_byte();
        if (channel_data_bytes(status) == 2) ev.data2 = data_byte();
        track.events.push_back(std::move(ev));
      } else if (status == 0xFF) {
        // Running status deliberately survives meta and sysex events: many real files rely on it.
        ev.kind = EventKind::Meta;
        ev.status = 0xFF;
        ev.meta_type = byte("meta event type");
        ev.payload = bytes(read_varint("meta event length"), "meta event data");
        const bool end = ev.is_end_of_track();
        if (end) ev.payload.clear();
        track.events.push_back(std::move(ev));
        if (end) return track;  // anything after end-of-track is ignored
      } else if (status == 0xF0 || status == 0xF7) {
        ev.kind = EventKind::SysEx;
        ev.status = status;
        ev.payload = bytes(read_varint("sysex length"), "sysex data");
        track.events.push_back(std::move(ev));
      } else {
        // System common / real-time bytes do not belong in files; skip them with their data bytes.
        const int skip = (status == 0xF2) ? 2 : (status == 0xF1 || status == 0xF3) ? 1 : 0;
        for (int i = 0; i < skip; ++i) data_byte();
      }
    }
    // Missing end-of-track: tolerated, and added so that every track has the same shape.
    Event end;
    end.tick = tick;
    end.kind = EventKind::Meta;
    end.status = 0xFF;
    end.meta_type = meta::kEndOfTrack;
    track.events.push_back(std::move(end));
    return track;
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    std::ostringstream msg;
    msg << name_ << ": track " << track_ << ": " << problem << " (at byte " << pos_ << " of the track)";
    throw MidiError(msg.str());
  }
  [[noreturn]] void truncated(const char* what) const {
    fail(std::string(clamped_ ? "file truncated" : "track chunk ends") + " in the middle of " + what);
  }
  static std::string hex(std::uint8_t b) {
    static const char* digits = "0123456789ABCDEF";
    return {digits[b >> 4], digits[b & 15]};
  }
  std::uint8_t byte(const char* what) {
    if (pos_ >= data_.size()) truncated(what);
    return data_[pos_++];
  }
  std::uint8_t data_byte() {
    const std::uint8_t b = byte("a channel message");
    if (b >= 0x80) {
      --pos_;
      fail("status byte 0x" + hex(b) + " where a data byte was expected");
    }
    return b;
  }
  std::uint32_t read_varint(const char* what) {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const std::uint8_t b = byte(what);
      value = (value << 7) | (b & 0x7F);
      if ((b & 0x80) == 0) return value;
    }
    fail(std::string("invalid variable-length quantity (more than 4 bytes) in ") + what);
  }
  std::vector<std::uint8_t> bytes(std::uint32_t n, const char* what) {
    if (n > data_.size() - pos_) truncated(what);  // checked before allocating: no absurd allocations
    std::vector<std::uint8_t> out(data_.begin() + static_cast<std::ptrdiff_t>(pos_),
                                  data_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
    pos_ += n;
    return out;
  }

  std::span<const std::uint8_t> data_;
  const std::string& name_;
  std::size_t track_;
  bool clamped_;
  std::size_t& budget_;
  std::size_t pos_ = 0;
};

void convert_smpte(File& file, std::uint16_t division, const std::string& name) {
  const int fps_code = -static_cast<std::int8_t>(division >> 8);
  const int ticks_per_frame = division & 0xFF;
  if (fps_code != 24 && fps_code != 25 && fps_code != 29 && fps_code != 30)
    throw MidiError(name + ": SMPTE division with unsupported frame rate " + std::to_string(fps_code));
  if (ticks_per_frame == 0) throw MidiError(name + ": SMPTE division with 0 ticks per frame");
  const int fps = fps_code == 29 ? 30 : fps_code;  // 29.97 drop-frame: 0.1% slow, counted as 30
  file.smpte = true;
  file.ticks_per_beat = fps * ticks_per_frame;  // ticks per second; with 60 BPM, one beat = one second
  for (auto& track : file.tracks)
    std::erase_if(track.events, [](const Event& e) { return e.kind == EventKind::Meta && e.meta_type == meta::kTempo; });
  Event tempo;
  tempo.kind = EventKind::Meta;
  tempo.status = 0xFF;
  tempo.meta_type = meta::kTempo;
  tempo.payload = {0x0F, 0x42, 0x40};  // 1,000,000 µs per beat = 60 BPM
  auto& first = file.tracks.front().events;
  first.insert(first.begin(), std::move(tempo));
}

}  // namespace

File parse(std::span<const std::uint8_t> input, const std::string& name) {
  const auto bytes = unwrap_rmid(input, name);
  if (bytes.size() < 4 || std::memcmp(bytes.data(), "MThd", 4) != 0)
    throw MidiError(name + ": not a MIDI file (no MThd header)");
  if (bytes.size() < 14) throw MidiError(name + ": file truncated in the MThd header");
  const std::uint32_t header_len = be32(bytes.data() + 4);
  if (header_len < 6) throw MidiError(name + ": MThd header too short (" + std::to_string(header_len) + " bytes)");
  File file;
  file.format = be16(bytes.data() + 8);
  const std::size_t declared_tracks = be16(bytes.data() + 10);
  const std::uint16_t division = be16(bytes.data() + 12);
  if (file.format > 2) throw MidiError(name + ": unsupported MIDI format " + std::to_string(file.format));
  if (division == 0) throw MidiError(name + ": time division is 0 ticks per beat");
  if ((division & 0x8000) == 0) file.ticks_per_beat = division;

  // Each event takes at least two bytes (delta time + one data byte), so this can never be reached by a
  // well-formed file; it bounds memory whatever the bytes say.
  std::size_t event_budget = bytes.size() / 2 + 1;
  std::size_t pos = 8 + std::min<std::size_t>(header_len, bytes.size() - 8);
  while (pos + 8 <= bytes.size() && file.tracks.size() < kMaxTracks) {
    if (!is_chunk_id(bytes.data() + pos)) break;  // trailing garbage after the last chunk
    const std::size_t len = be32(bytes.data() + pos + 4);
    const std::size_t avail = bytes.size() - pos - 8;
    const bool clamped = len > avail;  // a chunk length beyond the end of the file: read what is there
    const std::size_t take = clamped ? avail : len;
    if (std::memcmp(bytes.data() + pos, "MTrk", 4) == 0) {
      TrackReader reader(bytes.subspan(pos + 8, take), name, file.tracks.size(), clamped, event_budget);
      file.tracks.push_back(reader.read());
    }  // unknown chunk types are skipped
    pos += 8 + take;
  }
  if (file.tracks.empty())
    throw MidiError(name + ": no MTrk track chunk (header declares " + std::to_string(declared_tracks) +
                    " tracks)");
  if (division & 0x8000) convert_smpte(file, division, name);
  return file;
}

File read_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw MidiError(name + ": is a directory, not a MIDI file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw MidiError(name + ": cannot open file (" + std::strerror(errno) + ")");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) throw MidiError(name + ": cannot determine the file size");
  if (static_cast<std::uintmax_t>(size) > kMaxFileBytes)
    throw MidiError(name + ": file too large for a MIDI file (" + std::to_string(size) + " bytes)");
  in.seekg(0);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) throw MidiError(name + ": read error");
  if (bytes.empty()) throw MidiError(name + ": empty file");
  return parse(bytes, name);
}

}  // namespace spe::midi
