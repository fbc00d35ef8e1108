#include "tokens/remi_tokenizer.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <tuple>

#include "tokens/note_overlaps.hpp"
#include "tokens/tick_math.hpp"

namespace spe::tokens {
namespace {

using music::Tick;
using V = RemiVocabulary;

int quality_index(const std::string& quality) {
  const auto& q = remi_chord_qualities();
  auto it = std::find(q.begin(), q.end(), quality);
  return it == q.end() ? -1 : static_cast<int>(it - q.begin());
}

Tick to_grid(Tick t480) { return round_to_multiple(t480, V::kTicksPerPosition); }

bool note_less(const music::Note& a, const music::Note& b) {
  return std::tie(a.start, a.pitch, a.end, a.velocity) < std::tie(b.start, b.pitch, b.end, b.velocity);
}

}  // namespace

nlohmann::json RemiOptions::to_json() const {
  return {{"scheme", "remi"}, {"vocab", vocab == RemiVocabKind::Paper ? "paper" : "full"}};
}

RemiOptions RemiOptions::from_json(const nlohmann::json& j) {
  RemiOptions o;
  reject_unknown_keys(j, {"scheme", "vocab", "vocabulary"}, "REMI tokenizer");
  if (j.contains("vocab")) {
    const auto& v = j.at("vocab");
    if (!v.is_string() || (v != "paper" && v != "full"))
      throw std::invalid_argument("REMI tokenizer: 'vocab' must be \"paper\" or \"full\"");
    o.vocab = v == "paper" ? RemiVocabKind::Paper : RemiVocabKind::Full;
  }
  return o;
}

music::Score quantize_for_remi(const music::Score& score, const RemiOptions& options, EncodeReport* report) {
  EncodeReport scratch;
  EncodeReport& rep = report ? *report : scratch;
  const auto& layout = remi_layout(options.vocab);
  const int tpb = score.ticks_per_beat;
  if (tpb <= 0) throw std::invalid_argument("score has a non-positive ticks_per_beat");
  auto to480 = [&](Tick t) { return rescale_ticks(t, tpb, V::kTicksPerBeat); };

  music::Score out;
  out.ticks_per_beat = V::kTicksPerBeat;
  music::Track piano;
  piano.name = "Piano";
  for (const auto& track : score.tracks) {
    rep.notes_in += track.notes.size();
    if (track.is_drum || track.channel == 9) {
      rep.count("notes dropped: drum track (REMI is piano only)", track.notes.size());
      continue;
    }
    for (const auto& n : track.notes) {
      const Tick start = to480(n.start), end = to480(n.end);
      music::Note q;
      q.from_prompt = n.from_prompt;
      q.start = to_grid(start);
      if (q.start != start) rep.count("onsets moved to the 16th-note grid");
      Tick dur = std::max<Tick>(end - start, 0);
      if (dur > V::kMaxDuration) {
        rep.count("durations clipped to 1920 ticks");
        dur = V::kMaxDuration;
      }
      const Tick dbin = round_to_multiple_ties_down(dur, V::kTicksPerPosition);
      if (dbin != dur) rep.count("durations rounded to a multiple of 120 ticks");
      q.end = q.start + (dbin == 0 ? V::kZeroDurationTicks : dbin);

      int p = n.pitch;
      while (p < layout.min_pitch()) p += 12;
      while (p > layout.max_pitch()) p -= 12;
      if (p != n.pitch)
        rep.count("pitches moved by octaves into " + std::to_string(layout.min_pitch()) + ".." +
                  std::to_string(layout.max_pitch()));
      q.pitch = p;

      int v = std::clamp(n.velocity, 0, 127);
      if (v % 2 != 0) {
        --v;  // nearest even bin, ties to the lower one
        rep.count("velocities rounded to an even bin");
      }
      if (v < layout.velocity_floor()) {
        v = layout.velocity_floor();
        rep.count("velocities raised to the floor " + std::to_string(layout.velocity_floor()));
      }
      const int snapped = nearest_bin(layout.velocity_bins(), v);
      if (snapped != v) rep.count("velocities snapped to the nearest vocabulary bin");
      q.velocity = snapped;
      piano.notes.push_back(q);
    }
  }
  remove_same_pitch_overlaps(piano.notes, rep);
  rep.notes_encoded = piano.notes.size();
  out.tracks.push_back(std::move(piano));

  // Tempo: nearest of the 65 bins of linspace(32, 224, 65), then the nearest bin present in the vocabulary.
  static const std::vector<int> grid_bins = [] {
    std::vector<int> b;
    for (int bpm = 32; bpm <= 224; bpm += 3) b.push_back(bpm);
    return b;
  }();
  std::map<Tick, int> tempo_at;  // grid tick -> bpm bin (last change at a position wins)
  for (const auto& t : score.tempos) {
    const double bpm = t.bpm;
    int grid = nearest_bin(grid_bins, bpm);
    if (static_cast<double>(grid) != bpm) rep.count("tempi rounded to the nearest 3-BPM bin");
    const int bin = nearest_bin(layout.tempo_bins(), static_cast<double>(grid));
    if (bin != grid) rep.count("tempi snapped to the nearest bin present in the vocabulary");
    const Tick tick = to_grid(to480(t.tick));
    if (tempo_at.count(tick)) rep.count("tempo changes replaced by a later one at the same 16th position");
    tempo_at[tick] = bin;
  }
  int in_force = -1;
  for (const auto& [tick, bpm] : tempo_at) {
    if (bpm == in_force) {
      rep.count("tempo changes dropped: same bin as the tempo in force");
      continue;
    }
    out.tempos.push_back({tick, static_cast<double>(bpm)});
    in_force = bpm;
  }

  std::map<Tick, music::Chord> chord_at;
  for (const auto& c : score.chords) {
    music::Chord q;
    q.tick = to_grid(to480(c.tick));
    if (c.root >= 0 && c.root < 12 && quality_index(c.quality) >= 0) {
      q.root = c.root;
      q.quality = c.quality;
    } else if (c.root >= 0) {
      rep.count("chords dropped: quality '" + c.quality + "' is not a REMI quality");
      continue;
    }  // else: no chord (N)
    if (chord_at.count(q.tick)) rep.count("chords replaced by a later one at the same 16th position");
    chord_at[q.tick] = q;
  }
  for (const auto& [tick, c] : chord_at) {
    if (!out.chords.empty() && out.chords.back().root == c.root && out.chords.back().quality == c.quality) {
      rep.count("chords dropped: same as the chord in force");
      continue;
    }
    out.chords.push_back(c);
  }

  std::set<std::pair<int, int>> seen;
  for (const auto& ts : score.time_signatures)
    if ((ts.numerator != 4 || ts.denominator != 4) && seen.insert({ts.numerator, ts.denominator}).second)
      rep.count("files with time signature " + std::to_string(ts.numerator) + "/" + std::to_string(ts.denominator) +
                " encoded as 16-position (4/4) bars");
  return out;
}

RemiTokenizer::RemiTokenizer(RemiOptions options) : options_(options), layout_(&remi_layout(options.vocab)) {}

nlohmann::json RemiTokenizer::config() const { return options_.to_json(); }

std::vector<TokenId> RemiTokenizer::encode(const music::Score& score, EncodeReport* report) const {
  const music::Score q = quantize_for_remi(score, options_, report);
  struct Position {
    std::optional<TokenId> chord, tempo;
    std::vector<const music::Note*> notes;  // ascending (pitch, end, velocity)
  };
  std::map<Tick, Position> positions;  // key: global 16th position
  for (const auto& n : q.tracks.front().notes) positions[n.start / V::kTicksPerPosition].notes.push_back(&n);
  for (const auto& t : q.tempos) positions[t.tick / V::kTicksPerPosition].tempo = layout_->tempo(static_cast<int>(t.bpm));
  for (const auto& c : q.chords)
    positions[c.tick / V::kTicksPerPosition].chord = layout_->chord(c.root, c.root < 0 ? -1 : quality_index(c.quality));

  std::vector<TokenId> out;
  const Tick n_bars = positions.empty() ? 0 : positions.rbegin()->first / V::kPositionsPerBar + 1;
  auto it = positions.begin();
  for (Tick bar = 0; bar < n_bars; ++bar) {
    out.push_back(layout_->bar());
    for (; it != positions.end() && it->first < (bar + 1) * V::kPositionsPerBar; ++it) {
      const auto& [pos, p] = *it;
      out.push_back(layout_->beat(static_cast<int>(pos % V::kPositionsPerBar)));
      if (p.chord) out.push_back(*p.chord);
      if (p.tempo) out.push_back(*p.tempo);
      for (auto n = p.notes.rbegin(); n != p.notes.rend(); ++n) {  // descending pitch
        out.push_back(layout_->pitch((*n)->pitch));
        out.push_back(layout_->velocity((*n)->velocity));
        const Tick d = (*n)->end - (*n)->start;
        out.push_back(layout_->duration(d == V::kZeroDurationTicks ? 0 : static_cast<int>(d)));
      }
    }
  }
  out.push_back(layout_->bar());
  out.push_back(layout_->eos());
  return out;
}

music::Score RemiTokenizer::decode(std::span<const TokenId> tokens, DecodeReport* report) const {
  DecodeReport scratch;
  DecodeReport& rep = report ? *report : scratch;
  music::Score out;
  out.ticks_per_beat = V::kTicksPerBeat;
  music::Track piano;
  piano.name = "Piano";

  Tick bar = -1;
  int pos = -1;  // Beat position in the current bar, -1 before the bar's first Beat
  int pitch = -1, velocity = -1;  // the note triple being read
  std::map<Tick, double> tempo_at;
  std::map<Tick, music::Chord> chord_at;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const TokenId t = tokens[i];
    if (!layout_->vocab().contains(t))
      throw std::invalid_argument("token id " + std::to_string(t) + " at index " + std::to_string(i) +
                                  " is outside the REMI vocabulary of " + std::to_string(vocab().size()) + " tokens");
    const auto& info = layout_->info(t);
    const bool in_triple = info.kind == RemiKind::Velocity || info.kind == RemiKind::Duration;
    if (pitch >= 0 && !in_triple) {
      rep.count("incomplete notes skipped (Note_Pitch not followed by Velocity and Duration)");
      pitch = velocity = -1;
    }
    if (info.kind == RemiKind::Eos) {
      if (i + 1 < tokens.size()) rep.count("tokens after EOS ignored", tokens.size() - i - 1);
      break;
    }
    const Tick tick = bar * V::kTicksPerBar + pos * V::kTicksPerPosition;
    const bool placed = bar >= 0 && pos >= 0;
    switch (info.kind) {
      case RemiKind::Bar:
        ++bar;
        pos = -1;
        break;
      case RemiKind::Pad:
        rep.count("PAD tokens ignored");
        break;
      case RemiKind::Beat:
        if (bar < 0) {
          rep.count("tokens before the first Bar ignored");
          break;
        }
        if (info.value <= pos) rep.count("Beat positions not after the previous Beat of their bar");
        pos = info.value;
        break;
      case RemiKind::Chord:
      case RemiKind::Tempo:
      case RemiKind::Pitch:
        if (!placed) {
          rep.count("tokens before the first Beat of their bar ignored");
          break;
        }
        if (info.kind == RemiKind::Tempo) {
          tempo_at[tick] = info.value;
        } else if (info.kind == RemiKind::Chord) {
          music::Chord c;
          c.tick = tick;
          c.root = info.value;
          c.quality = info.value < 0 ? "N" : remi_chord_qualities()[static_cast<std::size_t>(info.quality)];
          chord_at[tick] = c;
        } else {
          pitch = info.value;
        }
        break;
      case RemiKind::Velocity:
        if (pitch < 0 || velocity >= 0) {
          rep.count("Note_Velocity tokens out of place ignored");
          pitch = velocity = -1;
        } else {
          velocity = info.value;
        }
        break;
      case RemiKind::Duration:
        if (pitch < 0 || velocity < 0) {
          rep.count("Note_Duration tokens out of place ignored");
        } else {
          music::Note n;
          n.start = tick;
          n.end = tick + (info.value == 0 ? V::kZeroDurationTicks : info.value);
          n.pitch = pitch;
          n.velocity = velocity;
          piano.notes.push_back(n);
        }
        pitch = velocity = -1;
        break;
      case RemiKind::Eos:
        break;
    }
  }
  if (pitch >= 0) rep.count("incomplete notes skipped (Note_Pitch not followed by Velocity and Duration)");

  std::sort(piano.notes.begin(), piano.notes.end(), note_less);
  rep.notes_out = piano.notes.size();
  out.tracks.push_back(std::move(piano));
  for (const auto& [tick, bpm] : tempo_at) out.tempos.push_back({tick, bpm});
  for (const auto& [tick, c] : chord_at) out.chords.push_back(c);
  return out;
}

std::vector<int> RemiTokenizer::bar_of_each_token(std::span<const TokenId> tokens) const {
  std::vector<int> bars;
  bars.reserve(tokens.size());
  int bar = -1;
  for (auto t : tokens) {
    if (t == layout_->bar()) ++bar;
    bars.push_back(std::max(bar, 0));
  }
  return bars;
}

std::vector<music::Tick> RemiTokenizer::tick_of_each_token(std::span<const TokenId> tokens) const {
  // decode()'s clock: a Bar token starts its bar, a Beat token moves to its position; tokens before the
  // first Beat of a bar lie at the bar's start (0 before the first Bar).
  std::vector<music::Tick> ticks;
  ticks.reserve(tokens.size());
  Tick bar = -1;
  int pos = -1;
  for (auto t : tokens) {
    if (layout_->vocab().contains(t)) {
      const auto& info = layout_->info(t);
      if (info.kind == RemiKind::Bar) {
        ++bar;
        pos = -1;
      } else if (info.kind == RemiKind::Beat && bar >= 0) {
        pos = info.value;
      }
    }
    ticks.push_back(std::max<Tick>(bar, 0) * V::kTicksPerBar + std::max(pos, 0) * V::kTicksPerPosition);
  }
  return ticks;
}

std::optional<std::pair<int, int>> RemiTokenizer::note_started_by(TokenId token) const {
  if (!layout_->vocab().contains(token)) return std::nullopt;
  const auto& info = layout_->info(token);
  if (info.kind != RemiKind::Pitch) return std::nullopt;
  return std::pair{0, info.value};  // one piano track
}

}  // namespace spe::tokens
