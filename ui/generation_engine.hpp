#pragma once
// The seam between the GUI and the generation engine. The app implements GenerationEngine over
// core/generate (model + session + tokenizer) and hands it to MainWindow; the GUI only ever calls it on
// a worker thread (GenerationController) and learns about progress through the callbacks below. Neither
// Qt nor LibTorch appears here, so the adapter can live next to the engine without either.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "music/score.hpp"

namespace spe::ui {

struct GenerationRequest {
  music::Score prompt;        // the prompt only (notes flagged from_prompt); empty = from scratch
  music::Tick prompt_end = 0; // where the continuation starts (a bar line)
  int max_tokens = 1024;
  double temperature = 1.0;
  int top_k = 0;              // 0 = off
  double top_p = 1.0;         // 1 = off
  std::uint64_t seed = 0;
};

// Called on the worker thread. `notes` are new notes of take track `track`; `header` describes that
// track (name, program, channel, drum flag; its notes are ignored) so the roll can add it when new.
struct GenerationSink {
  std::function<void(int track, const music::Track& header, std::vector<music::Note> notes)> notes;
  std::function<void(double fraction)> progress;
  std::function<bool()> cancelled;  // poll between tokens; stop early and return what exists when true
};

class GenerationEngine {
 public:
  virtual ~GenerationEngine() = default;
  // Human-readable name of the loaded model (status bar, take names).
  virtual std::string name() const = 0;
  // Runs one take on the calling (worker) thread and returns it whole: prompt + continuation. Throws
  // std::exception with a one-line message on failure.
  virtual music::Score generate(const GenerationRequest& request, const GenerationSink& sink) = 0;
};

// The first `end` ticks of `score` as a prompt: notes starting before `end` (kept whole, flagged
// from_prompt), with the tempo map, signatures, markers and chords that precede `end`.
music::Score prompt_prefix(const music::Score& score, music::Tick end);

}  // namespace spe::ui
