#include "music/score_midi.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <map>
#include <tuple>

#include "midi/text.hpp"
#include "music/chord_symbols.hpp"

namespace spe::music {
namespace {

using midi::Event;
using midi::EventKind;

std::string text_of(const Event& ev) { return midi::text_to_utf8(ev.payload); }

// Conductor data (tempo, signatures, markers) from every track, in file order per tick.
void read_conductor(const midi::File& file, Score& score, const ReadOptions& options) {
  struct Timed {
    Tick tick;
    std::size_t order;
    const Event* ev;
  };
  std::vector<Timed> metas;
  std::size_t order = 0;
  for (const auto& track : file.tracks)
    for (const auto& ev : track.events)
      if (ev.kind == EventKind::Meta) metas.push_back({static_cast<Tick>(ev.tick), order++, &ev});
  std::stable_sort(metas.begin(), metas.end(), [](const Timed& a, const Timed& b) { return a.tick < b.tick; });

  // Equal ticks: the later event replaces the earlier one.
  auto put = [](auto& list, auto item) {
    if (!list.empty() && list.back().tick == item.tick) list.back() = item;
    else list.push_back(item);
  };
  for (const auto& [tick, _, ev] : metas) {
    const auto& p = ev->payload;
    switch (ev->meta_type) {
      case midi::meta::kTempo: {
        if (p.size() < 3) break;
        const std::uint32_t us = (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
        if (us == 0) break;
        put(score.tempos, TempoChange{tick, 60'000'000.0 / us});
        break;
      }
      case midi::meta::kTimeSignature: {
        if (p.size() < 2 || p[0] == 0 || p[1] > 6) break;
        put(score.time_signatures, TimeSignature{tick, p[0], 1 << p[1]});
        break;
      }
      case midi::meta::kKeySignature: {
        if (p.size() < 2) break;
        const int sharps = static_cast<std::int8_t>(p[0]);
        if (sharps < -7 || sharps > 7 || p[1] > 1) break;
        put(score.key_signatures, KeySignature{tick, sharps, p[1] == 1});
        break;
      }
      case midi::meta::kMarker: {
        const std::string text = text_of(*ev);
        if (options.chords_from_markers) {
          if (auto chord = parse_chord_marker(text)) {
            chord->tick = tick;
            score.chords.push_back(*chord);
            break;
          }
        }
        score.markers.push_back(Marker{tick, text});
        break;
      }
      default:
        break;
    }
  }
}

// The track's name; files that lack one often name the track with an instrument-name or text event
// before the first note, so those stand in for it.
std::string track_name(const std::vector<Event>& events) {
  const Event* instrument = nullptr;
  const Event* text = nullptr;
  for (const auto& ev : events) {
    if (ev.kind == EventKind::Channel && ev.type() == 0x90) break;
    if (ev.kind != EventKind::Meta || ev.payload.empty()) continue;
    if (ev.meta_type == midi::meta::kTrackName) return text_of(ev);
    if (ev.meta_type == midi::meta::kInstrumentName && !instrument) instrument = &ev;
    if (ev.meta_type == midi::meta::kText && !text) text = &ev;
  }
  if (instrument) return text_of(*instrument);
  if (text) return text_of(*text);
  return {};
}

struct Sounding {
  Tick start;
  int pitch;
  int velocity;
  std::size_t builder;
};

// Turns one MIDI track's channel events into notes on Score tracks.
class TrackSplitter {
 public:
  TrackSplitter(const std::string& name, const ReadOptions& options, std::vector<Track>& out)
      : name_(name), options_(options), out_(out) {}

  void event(const Event& ev) {
    const Tick tick = static_cast<Tick>(ev.tick);
    const int ch = ev.channel();
    switch (ev.type()) {
      case 0x90:
        if (ev.data2 > 0) {
          note_on(tick, ch, ev.data1, ev.data2);
          break;
        }
        [[fallthrough]];
      case 0x80:
        note_off(tick, ch, ev.data1);
        break;
      case 0xC0:
        program_[ch] = ev.data1;
        break;
      case 0xB0:
        if (ev.data1 == 64) pedal(tick, ch, ev.data2 >= 64);
        break;
      default:
        break;
    }
  }

  // Closes everything still sounding or held at the end of the track.
  void finish(Tick end) {
    for (int ch = 0; ch < 16; ++ch) {
      release_held(ch, end);
    }
    for (auto& [key, fifo] : sounding_)
      for (const auto& s : fifo) add(s, std::max(end, s.start));
  }

 private:
  void note_on(Tick tick, int ch, int pitch, int velocity) {
    if (options_.apply_sustain) {  // a re-struck held note ends where the new one begins
      auto it = held_[ch].find(pitch);
      if (it != held_[ch].end()) {
        for (const auto& ref : it->second) {
          Note& n = note(ref);
          n.end = std::max(tick, n.start + 1);
        }
        held_[ch].erase(it);
      }
    }
    sounding_[ch * 128 + pitch].push_back(Sounding{tick, pitch, velocity, builder(ch)});
  }

  void note_off(Tick tick, int ch, int pitch) {
    auto& fifo = sounding_[ch * 128 + pitch];
    if (fifo.empty()) return;  // stray note-off
    const Sounding s = fifo.front();
    fifo.pop_front();
    const auto ref = add(s, tick);
    if (options_.apply_sustain && pedal_down_[ch]) held_[ch][pitch].push_back(ref);
  }

  void pedal(Tick tick, int ch, bool down) {
    if (pedal_down_[ch] && !down) release_held(ch, tick);
    pedal_down_[ch] = down;
  }

  void release_held(int ch, Tick tick) {
    for (const auto& [pitch, refs] : held_[ch])
      for (const auto& ref : refs) {
        Note& n = note(ref);
        n.end = std::max(n.end, tick);
      }
    held_[ch].clear();
  }

  using NoteRef = std::pair<std::size_t, std::size_t>;  // (track in out_, note index)
  Note& note(const NoteRef& ref) { return out_[ref.first].notes[ref.second]; }

  NoteRef add(const Sounding& s, Tick end) {
    Note n;
    n.start = s.start;
    n.end = std::max(end, s.start + 1);  // zero-length notes (common for drums) last one tick
    n.pitch = s.pitch;
    n.velocity = s.velocity;
    auto& notes = out_[s.builder].notes;
    notes.push_back(n);
    return {s.builder, notes.size() - 1};
  }

  std::size_t builder(int ch) {
    const bool drum = ch == 9;
    const int program = program_[ch];
    const auto key = std::make_tuple(ch, drum ? -1 : program);
    auto it = builders_.find(key);
    if (it != builders_.end()) return it->second;
    Track t;
    t.name = name_;
    t.program = program;
    t.channel = ch;
    t.is_drum = drum;
    out_.push_back(std::move(t));
    builders_.emplace(key, out_.size() - 1);
    return out_.size() - 1;
  }

  const std::string& name_;
  const ReadOptions& options_;
  std::vector<Track>& out_;
  std::map<std::tuple<int, int>, std::size_t> builders_;
  std::array<int, 16> program_{};
  std::array<bool, 16> pedal_down_{};
  std::map<int, std::deque<Sounding>> sounding_;  // key channel × 128 + pitch; created on first use
  std::array<std::map<int, std::vector<NoteRef>>, 16> held_;  // per channel: pitch → notes the pedal holds
};

}  // namespace

Score score_from_midi(const midi::File& file, const ReadOptions& options) {
  Score score;
  score.ticks_per_beat = file.ticks_per_beat;
  read_conductor(file, score, options);
  for (std::size_t t = 0; t < file.tracks.size(); ++t) {
    const auto& events = file.tracks[t].events;
    const std::string name = track_name(events);
    std::vector<Track> tracks;
    TrackSplitter splitter(name, options, tracks);
    for (const auto& ev : events)
      if (ev.kind == EventKind::Channel) splitter.event(ev);
    splitter.finish(events.empty() ? 0 : static_cast<Tick>(events.back().tick));
    for (auto& track : tracks) {
      sort_notes(track.notes);
      score.tracks.push_back(std::move(track));
    }
  }
  return score;
}

void sort_notes(std::vector<Note>& notes) {
  std::sort(notes.begin(), notes.end(), [](const Note& a, const Note& b) {
    return std::tie(a.start, a.pitch, a.end, a.velocity) < std::tie(b.start, b.pitch, b.end, b.velocity);
  });
}

namespace {

Event meta_event(Tick tick, std::uint8_t type, std::vector<std::uint8_t> payload) {
  Event ev;
  ev.tick = static_cast<std::uint64_t>(tick);
  ev.kind = EventKind::Meta;
  ev.status = 0xFF;
  ev.meta_type = type;
  ev.payload = std::move(payload);
  return ev;
}

Event text_event(Tick tick, std::uint8_t type, const std::string& text) {
  return meta_event(tick, type, std::vector<std::uint8_t>(text.begin(), text.end()));
}

Event channel_event(Tick tick, std::uint8_t status, int d1, int d2) {
  Event ev;
  ev.tick = static_cast<std::uint64_t>(tick);
  ev.status = status;
  ev.data1 = static_cast<std::uint8_t>(std::clamp(d1, 0, 127));
  ev.data2 = static_cast<std::uint8_t>(std::clamp(d2, 0, 127));
  return ev;
}

// Events at equal ticks keep the order of `rank` (conductor: signatures before tempo before text;
// notes: offs before ons so that a repeated pitch is not cut by its own predecessor).
struct Ranked {
  Tick tick;
  int rank;
  std::size_t order;
  Event ev;
};

midi::Track finish_track(std::vector<Ranked> items) {
  std::sort(items.begin(), items.end(), [](const Ranked& a, const Ranked& b) {
    return std::tie(a.tick, a.rank, a.order) < std::tie(b.tick, b.rank, b.order);
  });
  midi::Track track;
  for (auto& item : items) track.events.push_back(std::move(item.ev));
  const Tick end = items.empty() ? 0 : items.back().tick;
  track.events.push_back(meta_event(end, midi::meta::kEndOfTrack, {}));
  return track;
}

midi::Track conductor_track(const Score& score) {
  std::vector<Ranked> items;
  auto add = [&](Tick tick, int rank, Event ev) { items.push_back({tick, rank, items.size(), std::move(ev)}); };
  for (const auto& ts : score.time_signatures) {
    int log2 = 0;
    while ((1 << log2) < ts.denominator && log2 < 7) ++log2;
    if ((1 << log2) != ts.denominator || ts.numerator < 1 || ts.numerator > 255)
      throw midi::MidiError("cannot write time signature " + std::to_string(ts.numerator) + "/" +
                            std::to_string(ts.denominator));
    add(ts.tick, 0, meta_event(ts.tick, midi::meta::kTimeSignature,
                               {static_cast<std::uint8_t>(ts.numerator), static_cast<std::uint8_t>(log2), 24, 8}));
  }
  for (const auto& ks : score.key_signatures)
    add(ks.tick, 1, meta_event(ks.tick, midi::meta::kKeySignature,
                               {static_cast<std::uint8_t>(static_cast<std::int8_t>(std::clamp(ks.sharps, -7, 7))),
                                static_cast<std::uint8_t>(ks.minor ? 1 : 0)}));
  for (const auto& tc : score.tempos) {
    if (!(tc.bpm > 0)) throw midi::MidiError("cannot write tempo " + std::to_string(tc.bpm) + " BPM");
    const double us = std::round(60'000'000.0 / tc.bpm);
    const auto v = static_cast<std::uint32_t>(std::clamp(us, 1.0, 16777215.0));
    add(tc.tick, 2, meta_event(tc.tick, midi::meta::kTempo,
                               {static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 8),
                                static_cast<std::uint8_t>(v)}));
  }
  for (const auto& m : score.markers) add(m.tick, 3, text_event(m.tick, midi::meta::kMarker, m.text));
  for (const auto& c : score.chords) add(c.tick, 4, text_event(c.tick, midi::meta::kMarker, chord_marker_text(c)));
  return finish_track(std::move(items));
}

int output_channel(const Score& score, const Track& track) {
  if (track.is_drum) return 9;
  if (track.channel >= 0 && track.channel < 16 && track.channel != 9) return track.channel;
  // A pitched track on channel 10 would play as drums: move it to the first channel no other track uses.
  for (int ch = 0; ch < 16; ++ch) {
    if (ch == 9) continue;
    const bool used = std::any_of(score.tracks.begin(), score.tracks.end(),
                                  [&](const Track& t) { return !t.is_drum && t.channel == ch; });
    if (!used) return ch;
  }
  return 0;
}

midi::Track note_track(const Score& score, const Track& track) {
  std::vector<Ranked> items;
  auto add = [&](Tick tick, int rank, Event ev) { items.push_back({tick, rank, items.size(), std::move(ev)}); };
  const auto ch = static_cast<std::uint8_t>(output_channel(score, track));
  if (!track.name.empty()) add(0, 0, text_event(0, midi::meta::kTrackName, track.name));
  add(0, 1, channel_event(0, 0xC0 | ch, track.program, 0));
  for (const auto& n : track.notes) {
    if (n.start < 0 || n.end <= n.start || n.pitch < 0 || n.pitch > 127)
      throw midi::MidiError("cannot write note pitch " + std::to_string(n.pitch) + " [" +
                            std::to_string(n.start) + ", " + std::to_string(n.end) + ")");
    add(n.start, 3, channel_event(n.start, 0x90 | ch, n.pitch, std::clamp(n.velocity, 1, 127)));
    add(n.end, 2, channel_event(n.end, 0x80 | ch, n.pitch, 0));
  }
  return finish_track(std::move(items));
}

}  // namespace

midi::File score_to_midi(const Score& score) {
  midi::File file;
  file.format = 1;
  file.ticks_per_beat = score.ticks_per_beat;
  file.tracks.push_back(conductor_track(score));
  for (const auto& track : score.tracks) file.tracks.push_back(note_track(score, track));
  return file;
}

Score read_score(const std::filesystem::path& path, const ReadOptions& options) {
  return score_from_midi(midi::read_file(path), options);
}

void write_score(const Score& score, const std::filesystem::path& path) {
  try {
    midi::write_file(score_to_midi(score), path);
  } catch (const midi::MidiError& e) {
    const std::string what = e.what();
    if (what.rfind(path.string(), 0) == 0) throw;
    throw midi::MidiError(path.string() + ": " + what);
  }
}

}  // namespace spe::music
