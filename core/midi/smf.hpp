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
};

struct Track {
  std::vector<Event> events;  // sorted by tick (file order kept for equal ticks)
};

struct File {
  int format = 1;              // 0, 1 or 2
  int ticks_per_beat = 480;    // PPQ; SMPTE divisions are converted on read
  std::vector<Track> tracks;
};

// Reading. Never aborts, never allocates without bound; throws MidiError on bad input.
File read_file(const std::filesystem::path& path);
File parse(std::span<const std::uint8_t> bytes, const std::string& name);

// Writing (type 1 unless file.format says 0). write_file is atomic: temp file + rename.
std::vector<std::uint8_t> serialize(const File& file);
void write_file(const File& file, const std::filesystem::path& path);

}  // namespace spe::midi
