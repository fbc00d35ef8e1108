// `spe tokenize --scheme remi|event [--vocab paper|full] IN.mid [-o OUT.json]`: MIDI → token JSON
// {scheme, source, chords, tokenizer (config + vocabulary), ids, names, report}. Without -o the JSON goes to stdout.
#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "music/score_midi.hpp"
#include "tokens/chord_source.hpp"
#include "tokens/event_tokenizer.hpp"
#include "tokens/remi_tokenizer.hpp"

namespace {

struct TokenizeArgs {
  std::string scheme;
  std::string vocab;
  bool paper_time_shifts = false;
  std::string chords = "auto";
  std::string input;
  std::string output;
};

nlohmann::json report_json(const spe::tokens::EncodeReport& rep) {
  return {{"notes_in", rep.notes_in}, {"notes_encoded", rep.notes_encoded}, {"counts", rep.counts}, {"lines", rep.lines()}};
}

void run_tokenize(const TokenizeArgs& args) {
  nlohmann::json config{{"scheme", args.scheme}};
  if (!args.vocab.empty()) {
    if (args.scheme != "remi") throw spe::cli::UsageError("--vocab applies to --scheme remi only");
    config["vocab"] = args.vocab;
  }
  if (args.paper_time_shifts) {
    if (args.scheme != "event") throw spe::cli::UsageError("--paper-time-shifts applies to --scheme event only");
    config["paper_time_shifts"] = true;
  }
  const auto tokenizer = spe::tokens::make_tokenizer(config);
  auto score = spe::music::read_score(args.input);  // errors name the file
  std::string chord_source = "none";
  if (tokenizer->scheme() == "remi")
    chord_source = spe::tokens::prepare_chords(score, args.input, spe::tokens::parse_chord_source(args.chords));
  spe::tokens::EncodeReport report;
  const auto ids = tokenizer->encode(score, &report);
  const nlohmann::json out{{"scheme", tokenizer->scheme()},
                           {"source", args.input},
                           {"chords", chord_source},
                           {"tokenizer", tokenizer->to_json()},
                           {"ids", ids},
                           {"names", tokenizer->names(ids)},
                           {"report", report_json(report)}};
  if (args.output.empty()) {
    std::cout << out.dump(1) << "\n";
    return;
  }
  spe::tokens::write_text_atomically(args.output, out.dump(1) + "\n");
  std::cout << args.output << ": " << ids.size() << " " << tokenizer->scheme() << " tokens, "
            << report.notes_encoded << " of " << report.notes_in << " notes encoded\n";
  for (const auto& line : report.lines()) std::cout << "  " << line << "\n";
}

spe::cli::RegisterCommand reg([](CLI::App& root) {
  auto args = std::make_shared<TokenizeArgs>();
  auto* cmd = root.add_subcommand("tokenize", "Encode a MIDI file as REMI or event tokens (JSON)");
  cmd->add_option("--scheme", args->scheme, "Token scheme")->required()->check(CLI::IsMember({"remi", "event"}));
  cmd->add_option("--vocab", args->vocab, "REMI vocabulary: paper (333 tokens, default) or full")
      ->check(CLI::IsMember({"paper", "full"}));
  cmd->add_flag("--paper-time-shifts", args->paper_time_shifts,
                "Event scheme: emit the paper's redundant off-beat time shifts");
  cmd->add_option("--chords", args->chords,
                  "REMI chord labels: auto (markers, else POP909 chord_midi.txt, else recogniser), markers, "
                  "pop909, recognise, none")
      ->check(CLI::IsMember({"auto", "markers", "pop909", "recognise", "none"}));
  cmd->add_option("input", args->input, "MIDI file")->required();
  cmd->add_option("-o,--output", args->output, "Output JSON (default: stdout)");
  cmd->callback([args] { run_tokenize(*args); });
});

}  // namespace
