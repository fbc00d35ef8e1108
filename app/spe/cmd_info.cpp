// `spe info FILE.mid [--json] [--events]`: what is in a MIDI file, as the engine reads it.
#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "command.hpp"
#include "midi/dump.hpp"
#include "music/chord_symbols.hpp"
#include "music/general_midi.hpp"
#include "music/score_midi.hpp"
#include "music/tempo_map.hpp"

namespace spe::cli {
namespace {

using nlohmann::json;
using music::Tick;

struct Summary {
  std::string path;
  midi::File file;
  music::Score score;
  Tick end = 0;
  double seconds = 0;
  double bars = 0;
};

Summary summarise(const std::string& path) {
  Summary s;
  s.path = path;
  s.file = midi::read_file(path);
  s.score = music::score_from_midi(s.file);
  const music::TempoMap map(s.score);
  s.end = s.score.end_tick();
  s.seconds = map.seconds_at(s.end);
  s.bars = map.bars_at(s.end);
  return s;
}

std::pair<int, int> pitch_range(const music::Track& track) {
  int low = 127, high = 0;
  for (const auto& n : track.notes) {
    low = std::min(low, n.pitch);
    high = std::max(high, n.pitch);
  }
  return {low, high};
}

std::string instrument(const music::Track& t) {
  return t.is_drum ? "drums" : std::to_string(t.program) + " " + music::gm_program_name(t.program);
}

json to_json(const Summary& s) {
  const music::TempoMap map(s.score);
  json j;
  j["file"] = s.path;
  j["format"] = s.file.format;
  j["ticks_per_beat"] = s.file.ticks_per_beat;
  j["smpte"] = s.file.smpte;
  j["midi_tracks"] = s.file.tracks.size();
  j["end_tick"] = s.end;
  j["duration_seconds"] = s.seconds;
  j["duration_bars"] = s.bars;
  j["total_notes"] = s.score.note_count();
  j["tempos"] = json::array();
  for (const auto& t : s.score.tempos)
    j["tempos"].push_back({{"tick", t.tick}, {"bpm", t.bpm}, {"seconds", map.seconds_at(t.tick)}});
  j["time_signatures"] = json::array();
  for (const auto& t : s.score.time_signatures)
    j["time_signatures"].push_back(
        {{"tick", t.tick}, {"numerator", t.numerator}, {"denominator", t.denominator}, {"bar", map.bar_index(t.tick)}});
  j["key_signatures"] = json::array();
  for (const auto& k : s.score.key_signatures)
    j["key_signatures"].push_back({{"tick", k.tick}, {"sharps", k.sharps}, {"minor", k.minor}});
  j["markers"] = json::array();
  for (const auto& m : s.score.markers) j["markers"].push_back({{"tick", m.tick}, {"text", m.text}});
  j["chords"] = json::array();
  for (const auto& c : s.score.chords) j["chords"].push_back({{"tick", c.tick}, {"chord", music::chord_marker_text(c)}});
  j["tracks"] = json::array();
  for (const auto& t : s.score.tracks) {
    const auto [low, high] = pitch_range(t);
    json track{{"name", t.name},         {"program", t.program},         {"channel", t.channel},
               {"is_drum", t.is_drum},   {"notes", t.notes.size()}};
    if (!t.is_drum) track["program_name"] = music::gm_program_name(t.program);
    if (!t.notes.empty()) {
      track["pitch_min"] = low;
      track["pitch_max"] = high;
    }
    j["tracks"].push_back(std::move(track));
  }
  return j;
}

void print_text(const Summary& s, std::ostream& out) {
  const music::TempoMap map(s.score);
  const auto& sc = s.score;
  out << s.path << "\n";
  out << "  format " << s.file.format << ", " << s.file.tracks.size() << " MIDI track"
      << (s.file.tracks.size() == 1 ? "" : "s") << ", " << s.file.ticks_per_beat << " ticks per beat"
      << (s.file.smpte ? " (SMPTE timing, converted: 1 beat = 1 s)" : "") << "\n";
  out << std::fixed << std::setprecision(2);
  out << "  duration " << s.seconds << " s, " << s.bars << " bars (" << s.end << " ticks)\n";
  out << "  tempo map:";
  if (sc.tempos.empty()) out << " 120 BPM (default)";
  for (const auto& t : sc.tempos) out << "\n    tick " << t.tick << " (bar " << map.bar_index(t.tick) + 1 << "): " << t.bpm << " BPM";
  out << "\n  time signatures:";
  if (sc.time_signatures.empty()) out << " 4/4 (default)";
  for (const auto& t : sc.time_signatures)
    out << "\n    tick " << t.tick << " (bar " << map.bar_index(t.tick) + 1 << "): " << t.numerator << "/" << t.denominator;
  out << "\n";
  if (!sc.key_signatures.empty()) {
    out << "  key signatures:";
    for (const auto& k : sc.key_signatures)
      out << " " << k.sharps << (k.minor ? " minor" : " major") << " at tick " << k.tick << ";";
    out << "\n";
  }
  if (!sc.markers.empty()) out << "  markers: " << sc.markers.size() << "\n";
  if (!sc.chords.empty()) out << "  chord markers: " << sc.chords.size() << "\n";
  out << "  tracks: " << sc.tracks.size() << "\n";
  for (std::size_t i = 0; i < sc.tracks.size(); ++i) {
    const auto& t = sc.tracks[i];
    const auto [low, high] = pitch_range(t);
    out << "    " << i << ": \"" << t.name << "\"  " << instrument(t) << "  channel " << t.channel + 1 << "  "
        << t.notes.size() << (t.notes.size() == 1 ? " note" : " notes");
    if (!t.notes.empty()) out << "  " << music::pitch_name(low) << ".." << music::pitch_name(high);
    out << "\n";
  }
  out << "  total notes: " << sc.note_count() << "\n";
}

}  // namespace

static RegisterCommand reg([](CLI::App& root) {
  auto* cmd = root.add_subcommand("info", "Summarise a MIDI file: tracks, notes, tempo map, length");
  auto path = std::make_shared<std::string>();
  auto as_json = std::make_shared<bool>(false);
  auto events = std::make_shared<bool>(false);
  cmd->add_option("file", *path, "MIDI file (.mid, .midi, .rmi)")->required();
  cmd->add_flag("--json", *as_json, "machine-readable JSON output");
  cmd->add_flag("--events", *events, "also list every MIDI event of every track");
  cmd->callback([=] {
    const Summary s = summarise(*path);  // midi::MidiError names the file and the problem
    if (*as_json) {
      json j = to_json(s);
      if (*events) j["events"] = midi::dump(s.file);
      // Texts in MIDI files are decoded to UTF-8 on read; replace guards against anything left over.
      std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    } else {
      print_text(s, std::cout);
      if (*events) std::cout << midi::dump(s.file);
    }
  });
});

}  // namespace spe::cli
