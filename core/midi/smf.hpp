#pragma once
// Standard MIDI File reading and writing (own implementation: Debian's libsmf aborts on valid files).
// `File` is the raw event view of a .mid file; music/score_midi.hpp turns it into a Score.

#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace spe::midi {

// Every problem with a file's bytes. what() is one line that names the file and the problem.
class MidiError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class EventKind : std::uint8_t { Channel, Meta, SysEx };

struct Event {
  std::uint64_t tick = 0;        // absolute time in ticks
  EventKind kind = EventKind::Channel;
  std::uint8_t status = 0;       // channel: 0x80..0xEF (with channel nibble); meta: 0xFF; sysex: 0xF0/0xF7
  std::uint8_t data1 = 0;        // channel events: first data byte
  std::uint8_t data2 = 0;        // channel events: second data byte (0 for 1-byte messages)
  std::uint8_t meta_type = 0;    // meta events only
  std::vector<std::uint8_t> payload;  // meta / sysex data bytes

  int channel() const { return status & 0x0F; }
  int type() const { return status & 0xF0; }  // 0x80 note off, 0x90 note on, 0xB0 control, 0xC0 program…
  bool is_end_of_track() const { return kind == EventKind::Meta && meta_type == 0x2F; }

  bool operator==(const Event&) const = default;
};

// Meta event types the project reads or writes.
namespace meta {
inline constexpr std::uint8_t kText = 0x01, kCopyright = 0x02, kTrackName = 0x03, kInstrumentName = 0x04,
                              kLyric = 0x05, kMarker = 0x06, kCuePoint = 0x07, kEndOfTrack = 0x2F,
                              kTempo = 0x51, kTimeSignature = 0x58, kKeySignature = 0x59;
}

// Number of channel-message data bytes for a status byte 0x80..0xEF (1 for program change / aftertouch).
inline int channel_data_bytes(std::uint8_t status) {
  const int type = status & 0xF0;
  return (type == 0xC0 || type == 0xD0) ? 1 : 2;
}

// Every track read from a file ends with exactly one end-of-track meta event (added at the last event's
// tick when the file lacks it), and the writer keeps that shape, so read → write → read is the identity.
struct Track {
  std::vector<Event> events;  // sorted by tick (file order kept for equal ticks)

  bool operator==(const Track&) const = default;
};

// SMPTE time divisions (frames per second × ticks per frame) are converted on read: the tick values are
// kept, ticks_per_beat becomes ticks per second (29.97 drop-frame counted as 30) and track 0 gets a
// 60 BPM tempo at tick 0, so that one beat lasts one second; the file's own tempo events, which have
// no effect under SMPTE timing, are dropped. `smpte` records that this happened.
struct File {
  int format = 1;              // 0, 1 or 2
  int ticks_per_beat = 480;    // PPQ; SMPTE divisions are converted on read
  std::vector<Track> tracks;
  bool smpte = false;          // the file used an SMPTE division (see above)

  bool operator==(const File&) const = default;
};

// Limits that keep hostile files from costing unbounded time or memory.
inline constexpr std::size_t kMaxFileBytes = 256u << 20;  // read_file refuses larger files
inline constexpr std::size_t kMaxTracks = 65535;          // the header's 16-bit track count

// Reading. Never aborts, never allocates without bound; throws MidiError on bad input.
// Tolerated: running status (also across meta and sysex events), a missing end-of-track, chunk lengths
// past the end of the file (clamped), unknown chunks (skipped), trailing garbage, RIFF/RMID wrapping,
// stray system common/real-time bytes (skipped). Refused with a message: no MThd, truncated events,
// variable-length quantities over 4 bytes, data bytes without a status, zero tracks, format > 2.
File read_file(const std::filesystem::path& path);
File parse(std::span<const std::uint8_t> bytes, const std::string& name);

// Writing: format 0 when file.format is 0 and there is one track, 2 when it is 2, else 1; explicit status
// bytes; one end-of-track per track at its last event's tick. write_file is atomic: temp file + rename.
std::vector<std::uint8_t> serialize(const File& file);
void write_file(const File& file, const std::filesystem::path& path);

}  // namespace spe::midi
