// `spe stats FILE.mid... [--from-bar B] [--json]`: does a take sound like its prompt? Notes per bar, empty
// bars, pitch-class entropy, polyphony and pitch range of the prompt (bars [0, B)), of the continuation
// (bars [B, end)) and of each quarter of the continuation. Definitions: core/music/take_stats.hpp.
//
// Text: one table per file (columns prompt | continuation | Q1..Q4; bars numbered from 1), then, with
// several files, a "mean over N files" table. --json: one line per file, {"file": PATH, then the keys of
// music::to_json(TakeStats)}, then, with several files, one more line, music::to_json(TakeStatsMean).
// Every file is read before anything is printed: a bad one prints `spe: <file>: <problem>`, exits 2.
// Notes are read as written (the sustain pedal does not lengthen them).
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "command.hpp"
#include "music/score_midi.hpp"
#include "music/take_stats.hpp"

namespace spe::cli {
namespace {

using music::BarRangeMean;
using music::BarRangeStats;
using music::TakeStats;
using music::TakeStatsMean;

constexpr int kLabelWidth = 18;

std::string fixed(double value, int decimals) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(decimals) << value;
  return s.str();
}

std::string cell(const std::optional<double>& value, int decimals) { return value ? fixed(*value, decimals) : "-"; }

// One row: the label, then prompt, continuation, Q1..Q4.
void row(std::ostream& out, const std::string& label, const std::vector<std::string>& cells) {
  out << "  " << std::left << std::setw(kLabelWidth) << label << std::right;
  for (std::size_t i = 0; i < cells.size(); ++i) out << std::setw(i < 2 ? 14 : 9) << cells[i];
  out << "\n";
}

void header(std::ostream& out) { row(out, "", {"prompt", "continuation", "Q1", "Q2", "Q3", "Q4"}); }

std::string bar_span(const BarRangeStats& r) {
  if (r.bars == 0) return "none";
  return "bars " + std::to_string(r.first_bar + 1) + "-" + std::to_string(r.first_bar + r.bars);
}

void print_take(std::ostream& out, const std::string& path, const TakeStats& t) {
  out << path << ": " << t.total_bars << (t.total_bars == 1 ? " bar" : " bars") << "; prompt " << bar_span(t.prompt)
      << ", continuation " << bar_span(t.continuation) << "\n";
  std::vector<const BarRangeStats*> ranges{&t.prompt, &t.continuation};
  for (const auto& q : t.quarters) ranges.push_back(&q);
  auto figures = [&](auto get) {
    std::vector<std::string> cells;
    for (const auto* r : ranges) cells.push_back(r->bars == 0 ? "-" : get(*r));
    return cells;
  };
  auto pitch = [](int p) { return p < 0 ? std::string("-") : std::to_string(p); };
  header(out);
  std::vector<std::string> bars;
  for (const auto* r : ranges) bars.push_back(std::to_string(r->bars));
  row(out, "bars", bars);
  row(out, "notes", figures([](const BarRangeStats& r) { return std::to_string(r.notes); }));
  row(out, "notes per bar", figures([](const BarRangeStats& r) { return fixed(r.notes_per_bar, 2); }));
  row(out, "empty bars %", figures([](const BarRangeStats& r) { return fixed(100 * r.empty_bar_fraction, 1); }));
  row(out, "pc entropy (bits)", figures([](const BarRangeStats& r) { return fixed(r.pitch_class_entropy_bits, 3); }));
  row(out, "mean polyphony", figures([](const BarRangeStats& r) { return fixed(r.mean_polyphony, 2); }));
  row(out, "pitch min", figures([&](const BarRangeStats& r) { return pitch(r.pitch_min); }));
  row(out, "pitch max", figures([&](const BarRangeStats& r) { return pitch(r.pitch_max); }));
  out << "  Q4/Q1 notes per bar: " << cell(t.last_vs_first_quarter_density, 2) << "\n";
}

void print_mean(std::ostream& out, const TakeStatsMean& m) {
  out << "mean over " << m.files << " files (each range over the files where it has bars)\n";
  std::vector<const BarRangeMean*> ranges{&m.prompt, &m.continuation};
  for (const auto& q : m.quarters) ranges.push_back(&q);
  auto figures = [&](std::optional<double> BarRangeMean::*field, int decimals, double scale = 1.0) {
    std::vector<std::string> cells;
    for (const auto* r : ranges) {
      auto v = r->*field;
      if (v) *v *= scale;
      cells.push_back(cell(v, decimals));
    }
    return cells;
  };
  header(out);
  std::vector<std::string> takes;
  for (const auto* r : ranges) takes.push_back(std::to_string(r->takes));
  row(out, "files", takes);
  row(out, "bars", figures(&BarRangeMean::bars, 1));
  row(out, "notes", figures(&BarRangeMean::notes, 1));
  row(out, "notes per bar", figures(&BarRangeMean::notes_per_bar, 2));
  row(out, "empty bars %", figures(&BarRangeMean::empty_bar_fraction, 1, 100.0));
  row(out, "pc entropy (bits)", figures(&BarRangeMean::pitch_class_entropy_bits, 3));
  row(out, "mean polyphony", figures(&BarRangeMean::mean_polyphony, 2));
  row(out, "pitch min", figures(&BarRangeMean::pitch_min, 1));
  row(out, "pitch max", figures(&BarRangeMean::pitch_max, 1));
  out << "  Q4/Q1 notes per bar: " << cell(m.last_vs_first_quarter_density, 2) << "\n";
}

}  // namespace

static RegisterCommand reg([](CLI::App& root) {
  auto* cmd = root.add_subcommand(
      "stats", "Take statistics: notes per bar, empty bars, pitch-class entropy, polyphony, pitch range of the "
               "prompt, the continuation and its quarters");
  auto paths = std::make_shared<std::vector<std::string>>();
  auto from_bar = std::make_shared<int>(0);
  auto as_json = std::make_shared<bool>(false);
  cmd->add_option("files", *paths, "MIDI files (takes whose first B bars are the prompt)")->required();
  cmd->add_option("--from-bar", *from_bar, "first bar of the continuation, from 0 (bars before it: the prompt)")
      ->check(CLI::Range(0, 1000000));
  cmd->add_flag("--json", *as_json, "one JSON line per file (and one for the mean over several files)");
  cmd->callback([=] {
    std::vector<TakeStats> takes;
    for (const auto& path : *paths) takes.push_back(music::take_stats(music::read_score(path), *from_bar));
    if (*as_json) {
      for (std::size_t i = 0; i < takes.size(); ++i) {
        const std::string file = nlohmann::json((*paths)[i]).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        std::cout << "{\"file\":" << file << "," << music::to_json(takes[i]).substr(1) << "\n";
      }
      if (takes.size() > 1) std::cout << music::to_json(music::mean_over(takes)) << "\n";
    } else {
      for (std::size_t i = 0; i < takes.size(); ++i) {
        if (i) std::cout << "\n";
        print_take(std::cout, (*paths)[i], takes[i]);
      }
      if (takes.size() > 1) {
        std::cout << "\n";
        print_mean(std::cout, music::mean_over(takes));
      }
    }
  });
});

}  // namespace spe::cli
