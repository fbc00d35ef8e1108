#include "generate/params.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace spe::generate {

GenerationParams default_generation_params(std::string_view scheme) {
  GenerationParams p;
  if (scheme == "remi") {
    // Chosen by a temperature × top-p sweep on held-out Pop1K7 prompts (docs/results/take-stats.md): the
    // paper's T 1.2 / top-p 0.9 gave continuations 0.4 bits above their prompt's pitch-class entropy.
    p.temperature = 1.1f;
    p.top_p = 0.8f;
  } else if (scheme == "event") {
    p.temperature = 0.6f;
    p.top_p = 1.0f;
  } else {
    throw std::invalid_argument("unknown token scheme '" + std::string(scheme) + "' (expected remi or event)");
  }
  return p;
}

std::string to_string(LengthUnit unit) {
  switch (unit) {
    case LengthUnit::Tokens: return "tokens";
    case LengthUnit::Bars: return "bars";
    case LengthUnit::Seconds: return "seconds";
  }
  return "tokens";
}

namespace {
LengthUnit unit_from_string(const std::string& s) {
  if (s == "tokens") return LengthUnit::Tokens;
  if (s == "bars") return LengthUnit::Bars;
  if (s == "seconds") return LengthUnit::Seconds;
  throw std::invalid_argument("unknown length unit '" + s + "'");
}
}  // namespace

void to_json(nlohmann::json& j, const GenerationParams& p) {
  j = nlohmann::json{{"length", p.length},
                     {"length_unit", to_string(p.length_unit)},
                     {"temperature", p.temperature},
                     {"top_k", p.top_k},
                     {"top_p", p.top_p},
                     {"seed", p.seed},
                     {"candidates", p.candidates},
                     {"first_candidate", p.first_candidate},
                     {"prompt_bars", p.prompt_bars},
                     {"grammar", p.use_grammar},
                     {"stop_at_eos", p.stop_at_eos},
                     {"end_cleanly", p.end_cleanly}};
}

void from_json(const nlohmann::json& j, GenerationParams& p) {
  p = GenerationParams{};
  p.length = j.value("length", p.length);
  p.length_unit = unit_from_string(j.value("length_unit", std::string("tokens")));
  p.temperature = j.value("temperature", p.temperature);
  p.top_k = j.value("top_k", p.top_k);
  p.top_p = j.value("top_p", p.top_p);
  p.seed = j.value("seed", p.seed);
  p.candidates = j.value("candidates", p.candidates);
  p.first_candidate = j.value("first_candidate", p.first_candidate);
  p.prompt_bars = j.value("prompt_bars", p.prompt_bars);
  p.use_grammar = j.value("grammar", p.use_grammar);
  p.stop_at_eos = j.value("stop_at_eos", p.stop_at_eos);
  p.end_cleanly = j.value("end_cleanly", p.end_cleanly);
}

}  // namespace spe::generate
