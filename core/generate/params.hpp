#pragma once
// Everything that defines a take besides the model and the prompt. Together with the model id, the
// weights hash and the prompt this is the "recipe" written into the output MIDI.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace spe::generate {

enum class LengthUnit { Tokens, Bars, Seconds };

struct GenerationParams {
  LengthUnit length_unit = LengthUnit::Tokens;
  double length = 512;           // generated tokens / bars / seconds, prompt excluded
  float temperature = 1.0f;      // 0 = greedy
  int top_k = 0;                 // 0 = off
  float top_p = 1.0f;            // 1 = off
  std::uint64_t seed = 0;
  int candidates = 1;            // takes drawn from one prompt in one batched run
  int first_candidate = 0;       // candidate c uses sampler stream first_candidate + c (re-run one take alone)
  int prompt_bars = -1;          // bars of the prompt file to use; -1 = all
  bool use_grammar = true;       // mask tokens the scheme forbids
  bool stop_at_eos = true;       // a candidate may end early with EOS (false: EOS is masked)
  bool end_cleanly = true;       // once long enough, close open notes/bars and end with EOS (grammar on)
  int max_bar_snapshots = 64;    // per candidate, newest kept: bounds memory for unbounded takes
};

// Pop piano / REMI: T = 1.1, top-p 0.8 (measured: docs/results/take-stats.md; the paper used T 1.2, top-p 0.9);
// groove / event: the paper's T = 0.6, plain sampling.
GenerationParams default_generation_params(std::string_view scheme);

std::string to_string(LengthUnit unit);
void to_json(nlohmann::json& j, const GenerationParams& p);
void from_json(const nlohmann::json& j, GenerationParams& p);

// Callbacks fire on the thread that runs the session. should_abort is polled before every token.
struct GenerationCallbacks {
  std::function<void(int candidate, int token, std::int64_t position)> on_token;
  std::function<void(double fraction)> on_progress;
  std::function<bool()> should_abort;
  std::function<void(int candidate, std::span<const float> logits)> on_logits;
};

}  // namespace spe::generate
