#include "generate/take.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>

#include "midi/smf.hpp"
#include "music/recipe_midi.hpp"
#include "music/score_midi.hpp"

namespace spe::generate {

namespace {

std::vector<std::string> report_lines(const tokens::Report& report) { return report.lines(); }

}  // namespace

Prompt prompt_from_score(const tokens::Tokenizer& tokenizer, const music::Score& score, int bars,
                         const std::string& source) {
  if (score.note_count() == 0) throw std::invalid_argument(source + ": the prompt has no notes");
  tokens::EncodeReport report;
  std::vector<int> ids;
  {
    const auto encoded = tokenizer.encode(score, &report);
    ids.assign(encoded.begin(), encoded.end());
  }
  if (report.notes_encoded == 0)
    throw std::invalid_argument(source + ": none of the prompt's " + std::to_string(score.note_count()) +
                                " notes can be encoded in the " + tokenizer.scheme() + " scheme");
  Prompt prompt;
  prompt.source = source;
  prompt.report = report_lines(report);
  while (!ids.empty() && ids.back() == tokenizer.eos()) ids.pop_back();
  const auto bar_of = tokenizer.bar_of_each_token(std::vector<tokens::TokenId>(ids.begin(), ids.end()));
  const int available = bar_of.empty() ? 0 : bar_of.back() + 1;
  if (bars >= 0) {
    if (bars > available)
      prompt.report.push_back("the prompt has only " + std::to_string(available) + " bars; all are used");
    const std::vector<tokens::TokenId> as_ids(ids.begin(), ids.end());
    ids.resize(tokenizer.prefix_length_for_bars(as_ids, bars));
  }
  if (tokenizer.scheme() == "remi") {
    // A REMI continuation starts with a fresh bar: end the prompt with the Bar token that opens it.
    const int bar_token = tokenizer.vocab().id("Bar_None");
    if (ids.empty() || ids.back() != bar_token) ids.push_back(bar_token);
    // The trailing Bar of a whole-file encoding opens the bar after the music, not a bar of music.
    const auto counted = tokenizer.bar_of_each_token(std::vector<tokens::TokenId>(ids.begin(), ids.end() - 1));
    prompt.bars = counted.empty() ? 0 : counted.back() + 1;
  } else {
    const auto counted = tokenizer.bar_of_each_token(std::vector<tokens::TokenId>(ids.begin(), ids.end()));
    prompt.bars = counted.empty() ? 0 : counted.back() + 1;
  }
  if (ids.empty() || (ids.size() == 1 && tokenizer.scheme() == "remi"))
    throw std::invalid_argument(source + ": the first " + std::to_string(bars) + " bars hold no music");
  prompt.tokens = std::move(ids);
  return prompt;
}

Prompt prompt_from_midi(const tokens::Tokenizer& tokenizer, const std::filesystem::path& path, int bars) {
  const music::Score score = music::read_score(path);  // MidiError names the file
  return prompt_from_score(tokenizer, score, bars, path.string());
}

Prompt prompt_from_scratch(const TokenScheme& scheme) {
  Prompt prompt;
  prompt.tokens = scheme.start_tokens();
  prompt.source = "scratch";
  return prompt;
}

Take make_take(const tokens::Tokenizer& tokenizer, const CandidateTrace& trace, int candidate) {
  Take take;
  take.candidate = candidate;
  take.sampler_index = trace.sampler_index;
  take.sampler_seed = trace.sampler_seed;
  take.stop = trace.stopped.value_or(StopReason::Aborted);
  take.tokens = trace.tokens;
  take.prompt_length = trace.prompt_length;
  take.invalid_positions = trace.invalid_positions;
  take.entropy = trace.entropy;
  take.log_prob = trace.log_prob;

  const std::vector<int> valid = trace.valid_tokens();
  tokens::DecodeReport report;
  take.score = tokenizer.decode(std::vector<tokens::TokenId>(valid.begin(), valid.end()), &report);
  take.decode_report = report_lines(report);
  if (!trace.invalid_positions.empty())
    take.decode_report.insert(take.decode_report.begin(),
                              std::to_string(trace.invalid_positions.size()) +
                                  " x token not allowed by the grammar (skipped)");

  // Notes the prompt alone decodes to are the prompt's notes: mark them (by track, onset and pitch).
  std::vector<tokens::TokenId> prompt_ids;
  std::size_t next_invalid = 0;
  for (std::size_t i = 0; i < trace.prompt_length; ++i) {
    if (next_invalid < trace.invalid_positions.size() &&
        trace.invalid_positions[next_invalid] == static_cast<std::int64_t>(i)) {
      ++next_invalid;
      continue;
    }
    prompt_ids.push_back(trace.tokens[i]);
  }
  const music::Score prompt_score = tokenizer.decode(prompt_ids);
  std::map<std::tuple<std::size_t, music::Tick, int>, int> pending;
  for (std::size_t t = 0; t < prompt_score.tracks.size(); ++t)
    for (const auto& n : prompt_score.tracks[t].notes) ++pending[{t, n.start, n.pitch}];
  for (std::size_t t = 0; t < take.score.tracks.size(); ++t)
    for (auto& n : take.score.tracks[t].notes) {
      auto it = pending.find({t, n.start, n.pitch});
      if (it != pending.end() && it->second > 0) {
        n.from_prompt = true;
        --it->second;
      }
    }
  return take;
}

nlohmann::json take_recipe(const Model& loaded, const GenerationParams& params, const Prompt& prompt,
                           const Take& take) {
  const ModelInfo& model = loaded.info();
  nlohmann::json j;
  j["model"] = {{"id", model.id()},       {"name", model.name},         {"weights_sha256", model.weights_sha256},
                {"scheme", model.scheme}, {"pe", model.pe},             {"gated", model.gated}};
  j["params"] = params;
  j["seed"] = params.seed;
  j["candidate"] = take.sampler_index;  // run alone with first_candidate = this to reproduce the take
  j["prompt"] = {{"source", prompt.source}, {"bars", prompt.bars}, {"tokens", prompt.tokens.size()}};
  j["generated_tokens"] = take.tokens.size() - take.prompt_length;
  j["stop"] = to_string(take.stop);
  if (const std::string weights = loaded.step_weights(); !weights.empty()) j["step_weights"] = weights;
  return j;
}

nlohmann::json take_sidecar(const tokens::Tokenizer& tokenizer, const nlohmann::json& recipe, const Take& take) {
  nlohmann::json j;
  j["recipe"] = recipe;
  j["scheme"] = tokenizer.scheme();
  j["prompt_length"] = take.prompt_length;
  j["tokens"] = take.tokens;
  j["entropy"] = take.entropy;
  j["log_prob"] = take.log_prob;
  j["invalid_positions"] = take.invalid_positions;
  j["decode_report"] = take.decode_report;
  std::size_t prompt_notes = 0, notes = 0;
  for (const auto& t : take.score.tracks)
    for (const auto& n : t.notes) {
      ++notes;
      prompt_notes += n.from_prompt ? 1 : 0;
    }
  j["notes"] = {{"total", notes}, {"from_prompt", prompt_notes}};
  return j;
}

void write_take_midi(const Take& take, const nlohmann::json& recipe, const std::filesystem::path& path) {
  music::write_score_with_recipe(take.score, recipe.dump(), path);
}

nlohmann::json read_recipe(const std::filesystem::path& midi_path) {
  const std::string text = music::read_recipe_text(midi_path);
  return text.empty() ? nlohmann::json::object() : nlohmann::json::parse(text);
}

std::filesystem::path take_output_path(const std::filesystem::path& out, int candidate, int candidates) {
  if (candidates <= 1) return out;
  std::filesystem::path p = out;
  const std::string ext = out.has_extension() ? out.extension().string() : ".mid";
  p.replace_filename(out.stem().string() + "-" + std::to_string(candidate + 1) + ext);
  return p;
}

}  // namespace spe::generate
