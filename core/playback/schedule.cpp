#include "playback/schedule.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "music/tempo_map.hpp"

namespace spe::playback {
namespace {

constexpr int kDrumChannel = 9;

std::uint8_t clamp7(int value) { return static_cast<std::uint8_t>(std::clamp(value, 0, 127)); }

// One channel per track, following the rules in the header.
std::vector<int> assign_channels(const music::Score& score) {
  std::array<int, 16> program_of{};  // -1: channel unused
  program_of.fill(-1);
  std::vector<int> channels(score.tracks.size(), kDrumChannel);
  for (std::size_t i = 0; i < score.tracks.size(); ++i) {
    const auto& track = score.tracks[i];
    if (track.is_drum) continue;
    const int program = std::clamp(track.program, 0, 127);
    int channel = std::clamp(track.channel, 0, 15);
    if (channel == kDrumChannel) channel = -1;
    if (channel < 0 || (program_of[channel] != -1 && program_of[channel] != program)) {
      int free = -1;
      for (int c = 0; c < 16 && free < 0; ++c)
        if (c != kDrumChannel && program_of[c] == -1) free = c;
      if (free >= 0)
        channel = free;
      else if (channel < 0)
        channel = 0;  // all 15 taken: share
    }
    if (program_of[channel] == -1) program_of[channel] = program;
    channels[i] = channel;
  }
  return channels;
}

struct Keyed {
  MidiEvent event;
  int rank;  // 0 program change, 1 note-off, 2 note-on
  std::size_t track;
  music::Tick tick;
};

}  // namespace

std::vector<MidiEvent> schedule_events(const music::Score& score) {
  const music::TempoMap map(score);
  const std::vector<int> channels = assign_channels(score);
  std::vector<Keyed> keyed;
  std::array<bool, 16> programmed{};
  for (std::size_t i = 0; i < score.tracks.size(); ++i) {
    const auto& track = score.tracks[i];
    const int ch = channels[i];
    if (!track.is_drum && !programmed[ch]) {
      programmed[ch] = true;
      keyed.push_back({{0.0, static_cast<std::uint8_t>(0xC0 | ch), clamp7(track.program), 0}, 0, i, 0});
    }
    for (const auto& note : track.notes) {
      const music::Tick end = std::max(note.end, note.start + 1);
      const std::uint8_t pitch = clamp7(note.pitch);
      keyed.push_back({{map.seconds_at(note.start), static_cast<std::uint8_t>(0x90 | ch), pitch,
                        static_cast<std::uint8_t>(std::clamp(note.velocity, 1, 127))},
                       2, i, note.start});
      keyed.push_back({{map.seconds_at(end), static_cast<std::uint8_t>(0x80 | ch), pitch, 0}, 1, i, end});
    }
  }
  // Ticks order events of equal time exactly (seconds of equal ticks are equal; of different ticks, different).
  std::stable_sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    if (a.tick != b.tick) return a.tick < b.tick;
    if (a.rank != b.rank) return a.rank < b.rank;
    if (a.track != b.track) return a.track < b.track;
    return a.event.data1 < b.event.data1;
  });
  std::vector<MidiEvent> events;
  events.reserve(keyed.size());
  std::map<int, int> sounding;  // (channel << 7 | pitch) → notes on
  for (const auto& k : keyed) {
    const int key = (k.event.channel() << 7) | k.event.data1;
    if (k.event.kind() == 0x90) {
      ++sounding[key];
    } else if (k.event.kind() == 0x80) {
      auto it = sounding.find(key);
      if (it != sounding.end() && --it->second > 0) continue;  // an overlapping note still sounds
      if (it != sounding.end()) sounding.erase(it);
    }
    events.push_back(k.event);
  }
  return events;
}

double score_duration_seconds(const music::Score& score) {
  return music::TempoMap(score).seconds_at(score.end_tick());
}

std::vector<MidiEvent> all_notes_off_events() {
  std::vector<MidiEvent> events;
  for (int ch = 0; ch < 16; ++ch) {
    const auto status = static_cast<std::uint8_t>(0xB0 | ch);
    events.push_back({0.0, status, 123, 0});
    events.push_back({0.0, status, 120, 0});
    events.push_back({0.0, status, 64, 0});
  }
  return events;
}

}  // namespace spe::playback
