#include "music/take_stats.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <utility>

#include "music/tempo_map.hpp"

namespace spe::music {
namespace {

std::string number(double value) {
  if (!std::isfinite(value)) return "null";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string number(const std::optional<double>& value) { return value ? number(*value) : "null"; }

std::string pitch_bound(int pitch) { return pitch < 0 ? "null" : std::to_string(pitch); }

BarRangeStats range_stats(const Score& score, const TempoMap& map, int first_bar, int end_bar) {
  BarRangeStats s;
  s.first_bar = first_bar;
  s.bars = std::max(0, end_bar - first_bar);
  if (s.bars == 0) return s;
  const Tick lo = map.bar_start(first_bar);
  const Tick hi = map.bar_start(end_bar);

  std::set<std::int64_t> bars_with_onsets;
  std::array<int, 12> pitch_classes{};
  int pitched = 0;
  std::vector<std::pair<Tick, Tick>> sounding;  // non-drum notes clipped to [lo, hi)
  for (const auto& track : score.tracks) {
    for (const auto& note : track.notes) {
      const std::int64_t bar = map.bar_index(note.start);
      const bool onset_in_range = bar >= first_bar && bar < end_bar;
      if (onset_in_range) {
        ++s.notes;
        bars_with_onsets.insert(bar);
      }
      if (track.is_drum) continue;
      if (onset_in_range) {
        ++pitch_classes[static_cast<std::size_t>(((note.pitch % 12) + 12) % 12)];
        ++pitched;
        s.pitch_min = s.pitch_min < 0 ? note.pitch : std::min(s.pitch_min, note.pitch);
        s.pitch_max = std::max(s.pitch_max, note.pitch);
      }
      const Tick a = std::max(note.start, lo), b = std::min(note.end, hi);
      if (a < b) sounding.emplace_back(a, b);
    }
  }
  s.notes_per_bar = static_cast<double>(s.notes) / s.bars;
  s.empty_bar_fraction = static_cast<double>(s.bars - static_cast<int>(bars_with_onsets.size())) / s.bars;
  for (int count : pitch_classes) {
    if (count == 0) continue;
    const double p = static_cast<double>(count) / pitched;
    s.pitch_class_entropy_bits -= p * std::log2(p);
  }
  if (s.pitch_class_entropy_bits < 0) s.pitch_class_entropy_bits = 0;  // -0.0 for a single class

  if (!sounding.empty()) {
    std::sort(sounding.begin(), sounding.end());
    double total = 0, covered = 0;
    Tick run_start = sounding.front().first, run_end = sounding.front().second;
    for (const auto& [a, b] : sounding) {
      total += static_cast<double>(b - a);
      if (a > run_end) {
        covered += static_cast<double>(run_end - run_start);
        run_start = a;
        run_end = b;
      } else {
        run_end = std::max(run_end, b);
      }
    }
    covered += static_cast<double>(run_end - run_start);
    s.mean_polyphony = total / covered;
  }
  return s;
}

void add(std::optional<double>& sum, double value) { sum = sum.value_or(0.0) + value; }

void divide(std::optional<double>& sum, int n) {
  if (sum && n > 0) *sum /= n;
}

BarRangeMean range_mean(const std::vector<const BarRangeStats*>& ranges) {
  BarRangeMean m;
  for (const auto* r : ranges) {
    if (r->bars == 0) continue;
    ++m.takes;
    add(m.bars, r->bars);
    add(m.notes, r->notes);
    add(m.notes_per_bar, r->notes_per_bar);
    add(m.empty_bar_fraction, r->empty_bar_fraction);
    add(m.pitch_class_entropy_bits, r->pitch_class_entropy_bits);
    add(m.mean_polyphony, r->mean_polyphony);
    if (r->pitch_min >= 0) {
      ++m.pitched_takes;
      add(m.pitch_min, r->pitch_min);
      add(m.pitch_max, r->pitch_max);
    }
  }
  for (auto* f : {&m.bars, &m.notes, &m.notes_per_bar, &m.empty_bar_fraction, &m.pitch_class_entropy_bits,
                  &m.mean_polyphony})
    divide(*f, m.takes);
  divide(m.pitch_min, m.pitched_takes);
  divide(m.pitch_max, m.pitched_takes);
  return m;
}

}  // namespace

int take_bars(const Score& score) {
  bool any = false;
  Tick last = 0;
  for (const auto& track : score.tracks)
    for (const auto& note : track.notes) {
      last = any ? std::max(last, std::max(note.start, note.end - 1)) : std::max(note.start, note.end - 1);
      any = true;
    }
  if (!any) return 0;
  return static_cast<int>(TempoMap(score).bar_index(last) + 1);
}

BarRangeStats bar_range_stats(const Score& score, int first_bar, int end_bar) {
  return range_stats(score, TempoMap(score), std::max(0, first_bar), end_bar);
}

TakeStats take_stats(const Score& score, int from_bar) {
  const TempoMap map(score);
  TakeStats t;
  t.from_bar = std::max(0, from_bar);
  t.total_bars = take_bars(score);
  const int end = std::max(t.from_bar, t.total_bars);
  t.prompt = range_stats(score, map, 0, t.from_bar);
  t.continuation = range_stats(score, map, t.from_bar, end);
  const int n = end - t.from_bar;
  for (int q = 0; q < 4; ++q)
    t.quarters[static_cast<std::size_t>(q)] =
        range_stats(score, map, t.from_bar + q * n / 4, t.from_bar + (q + 1) * n / 4);
  if (t.quarters[0].notes > 0) t.last_vs_first_quarter_density = t.quarters[3].notes_per_bar / t.quarters[0].notes_per_bar;
  return t;
}

TakeStatsMean mean_over(const std::vector<TakeStats>& takes) {
  TakeStatsMean m;
  m.files = static_cast<int>(takes.size());
  auto pick = [&](auto member) {
    std::vector<const BarRangeStats*> ranges;
    for (const auto& t : takes) ranges.push_back(&member(t));
    return range_mean(ranges);
  };
  m.prompt = pick([](const TakeStats& t) -> const BarRangeStats& { return t.prompt; });
  m.continuation = pick([](const TakeStats& t) -> const BarRangeStats& { return t.continuation; });
  for (std::size_t q = 0; q < 4; ++q)
    m.quarters[q] = pick([q](const TakeStats& t) -> const BarRangeStats& { return t.quarters[q]; });
  int defined = 0;
  for (const auto& t : takes)
    if (t.last_vs_first_quarter_density) {
      ++defined;
      add(m.last_vs_first_quarter_density, *t.last_vs_first_quarter_density);
    }
  divide(m.last_vs_first_quarter_density, defined);
  return m;
}

std::string to_json(const BarRangeStats& s) {
  return "{\"first_bar\":" + std::to_string(s.first_bar) + ",\"bars\":" + std::to_string(s.bars) +
         ",\"notes\":" + std::to_string(s.notes) + ",\"notes_per_bar\":" + number(s.notes_per_bar) +
         ",\"empty_bar_fraction\":" + number(s.empty_bar_fraction) +
         ",\"pitch_class_entropy_bits\":" + number(s.pitch_class_entropy_bits) +
         ",\"mean_polyphony\":" + number(s.mean_polyphony) + ",\"pitch_min\":" + pitch_bound(s.pitch_min) +
         ",\"pitch_max\":" + pitch_bound(s.pitch_max) + "}";
}

namespace {

// "[a,b,...]" of the items' to_json.
template <class Items>
std::string json_array(const Items& items) {
  std::string out = "[";
  for (const auto& item : items) {
    if (out.size() > 1) out.push_back(',');
    out.append(to_json(item));  // appended: GCC 12 warns falsely (-Wrestrict) on "," + string
  }
  out.push_back(']');
  return out;
}

}  // namespace

std::string to_json(const TakeStats& t) {
  const std::string quarters = json_array(t.quarters);
  return "{\"from_bar\":" + std::to_string(t.from_bar) + ",\"total_bars\":" + std::to_string(t.total_bars) +
         ",\"prompt\":" + to_json(t.prompt) + ",\"continuation\":" + to_json(t.continuation) +
         ",\"quarters\":" + quarters +
         ",\"last_vs_first_quarter_density\":" + number(t.last_vs_first_quarter_density) + "}";
}

std::string to_json(const BarRangeMean& m) {
  return "{\"takes\":" + std::to_string(m.takes) + ",\"pitched_takes\":" + std::to_string(m.pitched_takes) +
         ",\"bars\":" + number(m.bars) + ",\"notes\":" + number(m.notes) +
         ",\"notes_per_bar\":" + number(m.notes_per_bar) + ",\"empty_bar_fraction\":" + number(m.empty_bar_fraction) +
         ",\"pitch_class_entropy_bits\":" + number(m.pitch_class_entropy_bits) +
         ",\"mean_polyphony\":" + number(m.mean_polyphony) + ",\"pitch_min\":" + number(m.pitch_min) +
         ",\"pitch_max\":" + number(m.pitch_max) + "}";
}

std::string to_json(const TakeStatsMean& m) {
  const std::string quarters = json_array(m.quarters);
  return "{\"mean_over_files\":" + std::to_string(m.files) + ",\"prompt\":" + to_json(m.prompt) +
         ",\"continuation\":" + to_json(m.continuation) + ",\"quarters\":" + quarters +
         ",\"last_vs_first_quarter_density\":" + number(m.last_vs_first_quarter_density) + "}";
}

}  // namespace spe::music
