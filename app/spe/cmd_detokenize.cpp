// `spe detokenize IN.json -o OUT.mid`: token JSON (as written by `spe tokenize`, or any object with a
// "tokenizer" config and "ids" or "names") → MIDI. The decode report goes to stdout.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "music/score_midi.hpp"
#include "tokens/tokenizer.hpp"

namespace {

struct DetokenizeArgs {
  std::string input;
  std::string output;
};

std::vector<spe::tokens::TokenId> read_ids(const nlohmann::json& j, const spe::tokens::Tokenizer& tok) {
  std::vector<spe::tokens::TokenId> ids;
  if (j.contains("ids")) {
    if (!j.at("ids").is_array()) throw std::runtime_error("'ids' must be an array of integers");
    for (const auto& v : j.at("ids")) {
      if (!v.is_number_integer()) throw std::runtime_error("'ids' must be an array of integers");
      ids.push_back(v.get<spe::tokens::TokenId>());
    }
  } else if (j.contains("names") && j.at("names").is_array()) {
    for (const auto& v : j.at("names")) {
      if (!v.is_string()) throw std::runtime_error("'names' must be an array of strings");
      ids.push_back(tok.vocab().id(v.get<std::string>()));
    }
  } else {
    throw std::runtime_error("no 'ids' or 'names' array");
  }
  return ids;
}

void run_detokenize(const DetokenizeArgs& args) {
  std::ifstream in(args.input);
  if (!in) throw std::runtime_error(args.input + ": cannot open");
  spe::music::Score score;
  spe::tokens::DecodeReport report;
  std::size_t n_tokens = 0;
  try {
    const auto j = nlohmann::json::parse(in);
    if (!j.is_object() || !j.contains("tokenizer")) throw std::runtime_error("no 'tokenizer' object");
    const auto tokenizer = spe::tokens::make_tokenizer(j.at("tokenizer"));
    const auto ids = read_ids(j, *tokenizer);
    n_tokens = ids.size();
    score = tokenizer->decode(ids, &report);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(args.input + ": not valid token JSON: " + e.what());
  } catch (const std::exception& e) {
    throw std::runtime_error(args.input + ": " + e.what());
  }
  spe::music::write_score(score, args.output);
  std::cout << args.output << ": " << report.notes_out << " notes from " << n_tokens << " tokens\n";
  for (const auto& line : report.lines()) std::cout << "  " << line << "\n";
}

spe::cli::RegisterCommand reg([](CLI::App& root) {
  auto args = std::make_shared<DetokenizeArgs>();
  auto* cmd = root.add_subcommand("detokenize", "Decode token JSON (from spe tokenize) into a MIDI file");
  cmd->add_option("input", args->input, "Token JSON")->required();
  cmd->add_option("-o,--output", args->output, "Output MIDI file")->required();
  cmd->callback([args] { run_detokenize(*args); });
});

}  // namespace
