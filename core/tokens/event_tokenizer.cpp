#include "tokens/event_tokenizer.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <tuple>

#include "tokens/note_overlaps.hpp"
#include "tokens/tick_math.hpp"

namespace spe::tokens {
namespace {

using music::Tick;
using namespace event_ids;

Vocabulary build_event_vocabulary() {
  std::vector<std::string> names;
  names.reserve(kSize);
  for (const char* kind : {"note_on", "note_off"})
    for (int t = 0; t < kTracks; ++t)
      for (int p = 0; p < 128; ++p) names.push_back(std::string(kind) + "(" + std::to_string(t) + "," + std::to_string(p) + ")");
  for (int tau = 1; tau < kTicksPerBeat; ++tau) names.push_back("time_shift(0," + std::to_string(tau) + ")");
  for (int tau = 0; tau < kTicksPerBeat; ++tau) names.push_back("time_shift(1," + std::to_string(tau) + ")");
  names.push_back("time_shift(2,0)");
  names.push_back("eos");
  names.push_back("bos");
  return Vocabulary(std::move(names));
}

music::Track make_track(int index, const EventOptions& o) {
  music::Track t;
  switch (index) {
    case 0: t.name = "Bass"; t.program = 33; t.channel = 0; break;
    case 1: t.name = "Drums"; t.program = 0; t.channel = 9; t.is_drum = true; break;
    default: t.name = "Harmonic"; t.program = o.harmonic_program; t.channel = 1; break;
  }
  return t;
}

bool note_less(const music::Note& a, const music::Note& b) {
  return std::tie(a.start, a.pitch, a.end, a.velocity) < std::tie(b.start, b.pitch, b.end, b.velocity);
}

// Role of each input track: 0 bass, 1 drums, 2 harmonic (the busiest other pitched track), -1 dropped.
std::vector<int> trio_roles(const music::Score& score) {
  std::vector<int> role(score.tracks.size(), -1);
  std::size_t busiest = score.tracks.size();
  for (std::size_t i = 0; i < score.tracks.size(); ++i) {
    const auto& t = score.tracks[i];
    if (t.is_drum || t.channel == 9) role[i] = 1;
    else if (t.program >= 32 && t.program <= 39) role[i] = 0;
    else if (!t.notes.empty() && (busiest == score.tracks.size() || t.notes.size() > score.tracks[busiest].notes.size()))
      busiest = i;
  }
  if (busiest < score.tracks.size()) role[busiest] = 2;
  return role;
}

// The time after time-shift token `t` (kShift0 <= t < kEos): shifts of 1..11 ticks, 1 beat + 0..11 ticks,
// or 2 beats, each counted from the start of the current beat (SPE.md §3.2).
Tick time_after_shift(Tick time, TokenId t) {
  int beats = 0, tick = 0;
  if (t < kShift1) tick = t - kShift0 + 1;
  else if (t < kShift2) beats = 1, tick = t - kShift1;
  else beats = 2;
  return time - time % kTicksPerBeat + kTicksPerBeat * beats + tick;
}

}  // namespace

void apply_prompt_instruments(music::Score& decoded_trio, const music::Score& prompt) {
  const auto role = trio_roles(prompt);
  for (int r = 0; r < kTracks && static_cast<std::size_t>(r) < decoded_trio.tracks.size(); ++r) {
    const music::Track* source = nullptr;  // the busiest prompt track with this role
    double velocity_sum = 0;
    std::size_t count = 0;
    for (std::size_t i = 0; i < prompt.tracks.size(); ++i) {
      if (role[i] != r) continue;
      const auto& t = prompt.tracks[i];
      if (!source || t.notes.size() > source->notes.size()) source = &t;
      for (const auto& n : t.notes) velocity_sum += n.velocity, ++count;
    }
    if (!source) continue;
    auto& dest = decoded_trio.tracks[static_cast<std::size_t>(r)];
    dest.program = source->program;
    dest.is_drum = r == 1;
    if (count > 0) {
      const int mean = std::clamp(static_cast<int>(std::lround(velocity_sum / static_cast<double>(count))), 1, 127);
      for (auto& n : dest.notes) n.velocity = mean;
    }
  }
}

nlohmann::json EventOptions::to_json() const {
  return {{"scheme", "event"},
          {"harmonic_program", harmonic_program},
          {"default_velocity", default_velocity},
          {"paper_time_shifts", paper_time_shifts}};
}

EventOptions EventOptions::from_json(const nlohmann::json& j) {
  EventOptions o;
  reject_unknown_keys(j, {"scheme", "harmonic_program", "default_velocity", "paper_time_shifts", "vocabulary"},
                      "event tokenizer");
  auto int_in = [&](const char* key, int lo, int hi, int& target) {
    if (!j.contains(key)) return;
    const auto& v = j.at(key);
    if (!v.is_number_integer() || v.get<int>() < lo || v.get<int>() > hi)
      throw std::invalid_argument(std::string("event tokenizer: '") + key + "' must be an integer in " +
                                  std::to_string(lo) + ".." + std::to_string(hi));
    target = v.get<int>();
  };
  int_in("harmonic_program", 0, 127, o.harmonic_program);
  int_in("default_velocity", 1, 127, o.default_velocity);
  if (j.contains("paper_time_shifts")) {
    if (!j.at("paper_time_shifts").is_boolean())
      throw std::invalid_argument("event tokenizer: 'paper_time_shifts' must be true or false");
    o.paper_time_shifts = j.at("paper_time_shifts").get<bool>();
  }
  return o;
}

music::Score quantize_for_events(const music::Score& score, const EventOptions& options, EncodeReport* report) {
  EncodeReport scratch;
  EncodeReport& rep = report ? *report : scratch;
  const int tpb = score.ticks_per_beat;
  if (tpb <= 0) throw std::invalid_argument("score has a non-positive ticks_per_beat");

  const std::vector<int> role = trio_roles(score);
  for (const auto& t : score.tracks) rep.notes_in += t.notes.size();

  music::Score out;
  out.ticks_per_beat = kTicksPerBeat;
  for (int r = 0; r < kTracks; ++r) out.tracks.push_back(make_track(r, options));
  for (std::size_t i = 0; i < score.tracks.size(); ++i) {
    const auto& t = score.tracks[i];
    if (role[i] < 0) {
      rep.count("notes dropped: track not in the trio (only the busiest other pitched track is kept)", t.notes.size());
      continue;
    }
    auto& dest = out.tracks[static_cast<std::size_t>(role[i])].notes;
    for (const auto& n : t.notes) {
      music::Note q;
      q.pitch = std::clamp(n.pitch, 0, 127);
      q.velocity = options.default_velocity;
      q.from_prompt = n.from_prompt;
      q.start = rescale_ticks(n.start, tpb, kTicksPerBeat);
      q.end = rescale_ticks(n.end, tpb, kTicksPerBeat);
      if ((n.start * kTicksPerBeat) % tpb != 0) rep.count("onsets moved to the 12-per-beat grid");
      if (q.end <= q.start) {
        q.end = q.start + 1;
        rep.count("zero-length notes lengthened to 1 tick");
      }
      dest.push_back(q);
    }
  }
  std::size_t kept = 0;
  for (auto& t : out.tracks) {
    remove_same_pitch_overlaps(t.notes, rep);
    kept += t.notes.size();
  }
  rep.notes_encoded = kept;
  return out;
}

EventTokenizer::EventTokenizer(EventOptions options) : options_(options) {}

const Vocabulary& EventTokenizer::vocab() const {
  static const Vocabulary v = build_event_vocabulary();
  return v;
}

nlohmann::json EventTokenizer::config() const { return options_.to_json(); }

std::vector<TokenId> EventTokenizer::encode(const music::Score& score, EncodeReport* report) const {
  const music::Score trio = quantize_for_events(score, options_, report);
  struct Note {
    Tick start, end;
    int pitch, velocity, track;
  };
  std::vector<Note> notes;
  for (int t = 0; t < kTracks; ++t)
    for (const auto& n : trio.tracks[static_cast<std::size_t>(t)].notes) notes.push_back({n.start, n.end, n.pitch, n.velocity, t});
  std::sort(notes.begin(), notes.end(), [](const Note& a, const Note& b) {
    return std::tie(a.start, a.pitch, a.end, a.velocity, a.track) < std::tie(b.start, b.pitch, b.end, b.velocity, b.track);
  });
  struct Event {
    Tick time;
    TokenId token;
  };
  std::vector<Event> events;
  events.reserve(2 * notes.size());
  for (const auto& n : notes) {
    events.push_back({n.start, note_on(n.track, n.pitch)});
    events.push_back({n.end, note_off(n.track, n.pitch)});
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.time < b.time; });

  std::vector<TokenId> out;
  out.reserve(events.size() * 2 + 2);
  out.push_back(kBos);
  Tick old = 0;
  for (const auto& e : events) {
    if (e.time != old || options_.paper_time_shifts) {
      const Tick beats_new = e.time / kTicksPerBeat, tick_new = e.time % kTicksPerBeat;
      const Tick beat_diff = beats_new - old / kTicksPerBeat;
      for (Tick q = 0; q < beat_diff / 2; ++q) out.push_back(time_shift(2, 0));
      const int r = static_cast<int>(beat_diff % 2);
      if (r > 0 || tick_new > 0) out.push_back(time_shift(r, static_cast<int>(tick_new)));
    }
    out.push_back(e.token);
    old = e.time;
  }
  out.push_back(kEos);
  return out;
}

music::Score EventTokenizer::decode(std::span<const TokenId> tokens, DecodeReport* report) const {
  DecodeReport scratch;
  DecodeReport& rep = report ? *report : scratch;
  music::Score out;
  out.ticks_per_beat = kTicksPerBeat;
  for (int r = 0; r < kTracks; ++r) out.tracks.push_back(make_track(r, options_));

  Tick time = 0;
  std::map<int, std::deque<Tick>> open;  // key 128·track + pitch -> onsets of sounding notes, oldest first
  auto add_note = [&](int key, Tick start, Tick end) {
    music::Note n;
    n.start = start;
    n.end = end;
    if (n.end <= n.start) {
      n.end = n.start + 1;
      rep.count("zero-length notes lengthened to 1 tick");
    }
    n.pitch = key % 128;
    n.velocity = options_.default_velocity;
    out.tracks[static_cast<std::size_t>(key / 128)].notes.push_back(n);
  };
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const TokenId t = tokens[i];
    if (t < 0 || t >= kSize)
      throw std::invalid_argument("token id " + std::to_string(t) + " at index " + std::to_string(i) +
                                  " is outside the event vocabulary of " + std::to_string(kSize) + " tokens");
    if (t == kEos) {
      if (i + 1 < tokens.size()) rep.count("tokens after eos ignored", tokens.size() - i - 1);
      break;
    }
    if (t == kBos) {
      if (i != 0) rep.count("bos tokens after the start ignored");
    } else if (t < kNoteOff) {
      auto& q = open[t - kNoteOn];
      if (!q.empty()) rep.count("note_on of an already sounding (track, pitch): notes overlap");
      q.push_back(time);
    } else if (t < kShift0) {
      auto it = open.find(t - kNoteOff);
      if (it == open.end() || it->second.empty()) {
        rep.count("note_off without a sounding note ignored");
      } else {
        add_note(it->first, it->second.front(), time);  // FIFO: the earliest open note ends
        it->second.pop_front();
      }
    } else {
      const Tick next = time_after_shift(time, t);
      if (next < time) rep.count("time shifts moving backward");
      time = next;
    }
  }
  for (auto& [key, q] : open)
    for (Tick start : q) {
      rep.count("notes still sounding at the end closed there");
      add_note(key, start, time);
    }
  std::size_t n_out = 0;
  for (auto& track : out.tracks) {
    std::sort(track.notes.begin(), track.notes.end(), note_less);
    n_out += track.notes.size();
  }
  rep.notes_out = n_out;
  return out;
}

std::vector<int> EventTokenizer::bar_of_each_token(std::span<const TokenId> tokens) const {
  std::vector<int> bars;
  bars.reserve(tokens.size());
  Tick time = 0;
  for (auto t : tokens) {
    if (t >= kShift0 && t < kEos) {
      int beats = 0, tick = 0;
      if (t < kShift1) tick = t - kShift0 + 1;
      else if (t < kShift2) beats = 1, tick = t - kShift1;
      else beats = 2;
      time = std::max(time, time - time % kTicksPerBeat + kTicksPerBeat * beats + tick);
    }
    bars.push_back(static_cast<int>(time / (kTicksPerBeat * kBeatsPerBar)));
  }
  return bars;
}

std::vector<music::Tick> EventTokenizer::tick_of_each_token(std::span<const TokenId> tokens) const {
  // The same clock as decode(): a token lies at the time reached after the shifts before it.
  std::vector<music::Tick> ticks;
  ticks.reserve(tokens.size());
  Tick time = 0;
  for (auto t : tokens) {
    if (t >= kShift0 && t < kEos) time = time_after_shift(time, t);
    ticks.push_back(time);
  }
  return ticks;
}

std::optional<std::pair<int, int>> EventTokenizer::note_started_by(TokenId token) const {
  if (token < kNoteOn || token >= kNoteOff) return std::nullopt;
  const int key = token - kNoteOn;  // 128·track + pitch, as decode() keys its open notes
  return std::pair{key / 128, key % 128};
}

}  // namespace spe::tokens
