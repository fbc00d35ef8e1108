#pragma once
// The seam between the GUI and the generation engine. The app implements GenerationEngine over
// core/generate (model + sessions + tokenizer) and hands it to MainWindow; the GUI only ever calls
// generate() on a worker thread (GenerationController) and learns about progress through the sink.
// Neither Qt nor LibTorch appears here, so the adapter can live next to the engine without either.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "music/score.hpp"

namespace spe::ui {

enum class LengthUnit { Tokens, Bars, Seconds };

// What the model panel shows about one model (from its model.json, before or after loading).
struct ModelDescription {
  std::string name, id, description, license;
  std::string scheme;          // remi | event
  std::string pe;              // ape | sine | conv | none
  bool gated = false;
  std::int64_t train_len = 0;  // tokens per training sequence
  std::int64_t parameters = 0; // 0 when unknown
  std::string path;            // the model folder
  std::string source;          // bundled | user | added
  bool is_default = false;
  std::string error;           // non-empty: the folder could not be read (one line)
};

struct GenerationRequest {
  music::Score prompt;          // the prompt only (notes flagged from_prompt); empty = from scratch
  music::Tick prompt_end = 0;   // where the continuation starts (a bar line)
  int prompt_bars = 0;          // bars of the prompt (0 = from scratch)
  std::string prompt_source;    // the prompt's file (absolute path), recorded in the recipe
  LengthUnit length_unit = LengthUnit::Tokens;
  double length = 1024;         // generated tokens / bars / seconds
  double temperature = 1.0;
  int top_k = 0;                // 0 = off
  double top_p = 1.0;           // 1 = off
  std::uint64_t seed = 0;
  int candidates = 1;           // sibling takes from one prompt in one batched run
  bool use_grammar = true;

  // Re-roll: continue `parent_score` from bar `bar` with `seed`. When the engine session that made the
  // parent is still alive it rewinds to that bar (no prefix recomputed); otherwise it re-encodes the
  // parent's first `bar` bars as the prompt.
  struct Reroll {
    std::string session;        // the parent's engine session ("" when unknown)
    int candidate = 0;          // the parent's candidate in that session
    int bar = 0;                // 0-based bar of parent_score
    music::Score parent_score;
    std::string parent_recipe;  // JSON text
  };
  std::optional<Reroll> reroll;
};

struct GeneratedTake {
  music::Score score;             // prompt + continuation as the model's tokenizer decodes it
  std::string recipe;             // JSON text: reproduces the take with `spe generate`
  music::Tick prompt_end = 0;     // in `score`'s ticks
  music::Tick training_end = -1;  // tick of the token at the model's training length; -1: not reached
  std::string session;            // engine session that can rewind it ("" when none)
  int candidate = 0;
  int reroll_bar = -1;            // re-roll: the bar it continues from
  std::size_t tokens = 0;         // generated tokens
  bool partial = false;           // stopped before its requested length
};

struct GenerationOutcome {
  std::vector<GeneratedTake> takes;  // one per candidate, in candidate order
  bool cancelled = false;
  double seconds = 0;
};

// Called on the worker thread. `reset` replaces what the roll shows by the prompt as the model decodes
// it (its tracks are the take's tracks); `notes` are new notes of take track `track` of candidate 0
// (`header` describes that track so the roll can add it when new); `training_end` fires once, when the
// stream passes the model's training length.
struct GenerationSink {
  std::function<void(const music::Score& prompt, music::Tick prompt_end)> reset;
  std::function<void(int track, const music::Track& header, std::vector<music::Note> notes)> notes;
  std::function<void(double fraction, std::size_t tokens)> progress;
  std::function<void(music::Tick tick)> training_end;
  std::function<bool()> cancelled;  // poll between tokens; stop early and return what exists when true
};

class GenerationEngine {
 public:
  virtual ~GenerationEngine() = default;
  // Human-readable name of the loaded model (status bar, take names).
  virtual std::string name() const = 0;
  virtual ModelDescription description() const = 0;
  // The model's default sampling settings (length fields untouched).
  virtual GenerationRequest defaults() const = 0;
  virtual std::string device() const = 0;
  // Runs one take (all its candidates) on the calling (worker) thread and returns them whole. Throws
  // std::exception with a one-line message on failure.
  virtual GenerationOutcome generate(const GenerationRequest& request, const GenerationSink& sink) = 0;
};

// The first `end` ticks of `score` as a prompt: notes starting before `end` (kept whole, flagged
// from_prompt), with the tempo map, signatures, markers and chords that precede `end`.
music::Score prompt_prefix(const music::Score& score, music::Tick end);

}  // namespace spe::ui
