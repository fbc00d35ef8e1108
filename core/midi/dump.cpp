#include "midi/dump.hpp"

#include <cstdio>
#include <sstream>

namespace spe::midi {
namespace {

std::string hex_bytes(const std::vector<std::uint8_t>& bytes) {
  std::string out;
  char buf[4];
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 16) return out + " ...";
    std::snprintf(buf, sizeof buf, " %02X", bytes[i]);
    out += buf;
  }
  return out;
}

// Printable ASCII as is, everything else as \xNN, so every dump is one line per event and plain ASCII.
std::string quoted(const std::vector<std::uint8_t>& bytes) {
  std::string out = "\"";
  char buf[8];
  for (std::uint8_t b : bytes) {
    if (b == '"' || b == '\\') {
      out += '\\';
      out += static_cast<char>(b);
    } else if (b >= 0x20 && b < 0x7F) {
      out += static_cast<char>(b);
    } else {
      std::snprintf(buf, sizeof buf, "\\x%02X", b);
      out += buf;
    }
  }
  return out + "\"";
}

std::string describe_meta(const Event& e) {
  const auto& p = e.payload;
  std::ostringstream out;
  switch (e.meta_type) {
    case meta::kText: return "text " + quoted(p);
    case meta::kCopyright: return "copyright " + quoted(p);
    case meta::kTrackName: return "track_name " + quoted(p);
    case meta::kInstrumentName: return "instrument_name " + quoted(p);
    case meta::kLyric: return "lyric " + quoted(p);
    case meta::kMarker: return "marker " + quoted(p);
    case meta::kCuePoint: return "cue_point " + quoted(p);
    case meta::kEndOfTrack: return "end_of_track";
    case meta::kTempo:
      if (p.size() == 3) {
        const unsigned us = (unsigned{p[0]} << 16) | (unsigned{p[1]} << 8) | p[2];
        out << "tempo " << us << " us/beat";
        if (us > 0) out << " (" << 60'000'000.0 / us << " BPM)";
        return out.str();
      }
      break;
    case meta::kTimeSignature:
      if (p.size() == 4) {
        out << "time_signature " << int(p[0]) << "/";
        if (p[1] < 16) out << (1 << p[1]);
        else out << "2^" << int(p[1]);
        out << " clocks=" << int(p[2]) << " 32nds=" << int(p[3]);
        return out.str();
      }
      break;
    case meta::kKeySignature:
      if (p.size() == 2) {
        out << "key_signature sharps=" << int(static_cast<std::int8_t>(p[0])) << (p[1] ? " minor" : " major");
        return out.str();
      }
      break;
    default:
      break;
  }
  char type[8];
  std::snprintf(type, sizeof type, "0x%02X", e.meta_type);
  out << "meta " << type << " len=" << p.size() << hex_bytes(p);
  return out.str();
}

}  // namespace

std::string describe_event(const Event& e) {
  std::ostringstream out;
  switch (e.kind) {
    case EventKind::Meta:
      return describe_meta(e);
    case EventKind::SysEx:
      out << (e.status == 0xF7 ? "sysex_escape" : "sysex") << " len=" << e.payload.size() << hex_bytes(e.payload);
      return out.str();
    case EventKind::Channel:
      break;
  }
  const int ch = e.channel() + 1;  // channels as musicians number them: 1..16
  const int a = e.data1, b = e.data2;
  switch (e.type()) {
    case 0x80: out << "note_off ch=" << ch << " key=" << a << " vel=" << b; break;
    case 0x90: out << "note_on ch=" << ch << " key=" << a << " vel=" << b; break;
    case 0xA0: out << "poly_aftertouch ch=" << ch << " key=" << a << " pressure=" << b; break;
    case 0xB0: out << "control_change ch=" << ch << " controller=" << a << " value=" << b; break;
    case 0xC0: out << "program_change ch=" << ch << " program=" << a; break;
    case 0xD0: out << "channel_aftertouch ch=" << ch << " pressure=" << a; break;
    case 0xE0: out << "pitch_bend ch=" << ch << " value=" << ((b << 7) | a) - 8192; break;
    default: out << "status 0x" << std::hex << int(e.status); break;
  }
  return out.str();
}

std::string dump(const File& file) {
  std::ostringstream out;
  out << "format " << file.format << ", " << file.ticks_per_beat << " ticks per beat"
      << (file.smpte ? " (converted from SMPTE: ticks per second at 60 BPM)" : "") << ", " << file.tracks.size()
      << (file.tracks.size() == 1 ? " track\n" : " tracks\n");
  for (std::size_t t = 0; t < file.tracks.size(); ++t) {
    const auto& events = file.tracks[t].events;
    out << "track " << t << ": " << events.size() << (events.size() == 1 ? " event\n" : " events\n");
    for (const auto& e : events) out << "  " << e.tick << " " << describe_event(e) << "\n";
  }
  return out.str();
}

}  // namespace spe::midi
