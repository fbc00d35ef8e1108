#pragma once
// The seam between the GUI and the generation engine. The app implements GenerationEngine over
// core/generate (model + sessions + tokenizer) and hands it to MainWindow; the GUI only ever calls
// generate() on a worker thread (GenerationController) and learns about progress through the sink.
// Neither Qt nor LibTorch appears here, so the adapter can live next to the engine without either.

#include <cstdint>
#include <functional>
#include <memory>
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
  int layers = 0, heads = 0;   // of the loaded model (0 before loading)
};

// What the model read and said at every token of a take, for the insight views (attention, entropy).
// Token ids stay opaque to the GUI: the engine gives each token's name, bar, onset tick and the note it
// starts, so a view can tie rows of a heatmap to notes of the roll without knowing the scheme.
struct TokenTrace {
  std::string model_id;                  // ModelDescription::id of the model that made the take
  std::vector<int> tokens;               // prompt + generated, exactly as the model read them
  std::size_t prompt_length = 0;
  std::vector<float> entropy;            // nats, one per generated token
  std::vector<float> log_prob;           // log p of each generated token (−log p is its loss)
  std::uint64_t model_seed = 0;          // every random draw inside the model for this take
  std::int64_t train_len = 0;            // the model's training length, in tokens
  int ticks_per_beat = 480;              // of the take's score
  std::vector<int> bar;                  // 0-based bar of each token
  std::vector<music::Tick> tick;         // onset tick of each token in the take's score
  std::vector<int> note_track, note_pitch;  // the note a token starts; -1 for other tokens
  std::vector<std::string> vocabulary;   // token names by id

  std::size_t size() const { return tokens.size(); }
  std::string tokenName(std::size_t i) const {
    const int id = tokens[i];
    return id >= 0 && std::size_t(id) < vocabulary.size() ? vocabulary[std::size_t(id)] : std::to_string(id);
  }
  // The token that started the note of `track` at `start` with `pitch`; -1 when none did.
  std::int64_t tokenOfNote(int track, music::Tick start, int pitch) const {
    for (std::size_t i = 0; i < tokens.size(); ++i)
      if (note_pitch[i] == pitch && note_track[i] == track && tick[i] == start) return std::int64_t(i);
    return -1;
  }
};

// softmax(Q̂K̂ᵀ) of one layer and head (head −1: the mean over heads) over tokens [begin, end) of a take,
// causally masked and row-normalised inside the window (paper appendix D.1): row r, column c is how
// much token begin + r attends to token begin + c.
struct AttentionMap {
  int layer = 0, head = 0;
  std::int64_t begin = 0, end = 0;
  std::vector<float> weights;  // (end − begin)², row-major
  std::int64_t size() const { return end - begin; }
  float at(std::int64_t row, std::int64_t col) const { return weights[std::size_t(row * size() + col)]; }
};

// The positional templates of one layer (issue #11, paper Fig. 7): what position alone contributes to
// attention. SPE models (pe "sine" | "conv"): the kernel P_hd(δ) each head h and feature dim d applies at
// lag δ = 0 … max_lag — `prescribed` is the learned analytic kernel (blended with the layer's gate when
// gated), `estimated` its Monte-Carlo estimate from the model's R code realisations (what a take really
// sees); both (heads, dims, max_lag + 1) row-major, as `spe kernels --model` reports them. APE models
// (pe "ape"): the dot products ⟨p_i, p_j⟩ of the positional-encoding rows added to the embeddings, for
// positions i, j = 0, ape_step, 2·ape_step, … below ape_positions (ape_size² values, row-major); `layer`
// is then irrelevant (APE enters before the first layer) and the SPE fields are empty.
struct PositionalTemplates {
  std::string pe;               // sine | conv | ape
  int layer = 0;                // 0-based
  std::int64_t train_len = 0;   // tokens per training sequence (extrapolation starts past it)
  // SPE
  bool gated = false;           // the layer's gate was applied
  int heads = 0, dims = 0, realizations = 0;
  std::int64_t max_lag = 0;
  std::vector<float> prescribed, estimated;
  // APE
  std::int64_t ape_positions = 0, ape_step = 1, ape_size = 0;
  std::vector<float> ape_dot_products;

  bool isApe() const { return pe == "ape"; }
  std::int64_t lags() const { return max_lag + 1; }
  std::size_t index(int head, int dim, std::int64_t lag) const {
    return (std::size_t(head) * std::size_t(dims) + std::size_t(dim)) * std::size_t(lags()) + std::size_t(lag);
  }
  float prescribedAt(int head, int dim, std::int64_t lag) const { return prescribed[index(head, dim, lag)]; }
  float estimatedAt(int head, int dim, std::int64_t lag) const { return estimated[index(head, dim, lag)]; }
  // The mean over the head's feature dims (what the head applies on average).
  float meanPrescribed(int head, std::int64_t lag) const { return meanOf(prescribed, head, lag); }
  float meanEstimated(int head, std::int64_t lag) const { return meanOf(estimated, head, lag); }
  float apeAt(std::int64_t row, std::int64_t col) const { return ape_dot_products[std::size_t(row * ape_size + col)]; }

 private:
  float meanOf(const std::vector<float>& v, int head, std::int64_t lag) const {
    double sum = 0;
    for (int d = 0; d < dims; ++d) sum += v[index(head, d, lag)];
    return dims > 0 ? float(sum / dims) : 0.f;
  }
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
  std::shared_ptr<const TokenTrace> trace;  // what the model read and said at each token
};

struct GenerationOutcome {
  std::vector<GeneratedTake> takes;  // one per candidate, in candidate order
  bool cancelled = false;
  double seconds = 0;
};

// Loss vs position on a folder of songs (issue #11, the paper's Table 6 / Fig. 3 for the user's own data):
// the teacher-forced evaluation of `spe eval --all-songs --max-position length --bucket bucket`.
struct EvaluationRequest {
  std::string folder;           // MIDI files below it (recursively), sorted by path
  std::int64_t length = 0;      // positions 0 … length − 1 of each song; 0 = 4 × the training length
  std::int64_t bucket = 32;     // positions per plotted point
  int max_files = 20;           // the first max_files files of the folder (0 = all)
  std::uint64_t seed = 0;       // noise seed of the evaluation (spe eval --seed)
};

// One point per bucket of positions, exactly the rows of `spe eval --csv` (`csv` holds that text).
struct EvaluationCurve {
  std::vector<double> position;        // first position of each bucket
  std::vector<double> end;             // one past its last position
  std::vector<double> loss;            // mean nats per position (every (song, position) counts once)
  std::vector<double> loss_std;        // std over the songs' bucket means
  std::vector<std::int64_t> count;     // (song, position) pairs in the bucket
  std::vector<std::int64_t> songs;     // songs reaching the bucket
  double trained_mean = 0, trained_std = 0;            // positions < train_len, over songs
  double extrapolated_mean = 0, extrapolated_std = 0;  // positions ≥ train_len (0 when no song reaches it)
  std::int64_t extrapolated_tokens = 0;
  std::int64_t train_len = 0, length = 0, bucket = 0;
  int files = 0;                       // songs evaluated
  std::vector<std::string> skipped;    // one line per file that could not be read or encoded
  bool cancelled = false;              // stopped early: the fields above are empty
  std::string csv;                     // what `spe eval --csv` writes for the same folder and options

  bool empty() const { return position.empty(); }
  double ratio() const { return trained_mean > 0 && extrapolated_tokens > 0 ? extrapolated_mean / trained_mean : 0; }
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
  // Entropy and log-probability of candidate 0's tokens generated since the last call, in order; the
  // first value is that of the token at position `first` of the take (prompt tokens included).
  std::function<void(std::size_t first, std::vector<float> entropy, std::vector<float> log_prob)> scores;
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
  // Teacher-forced loss vs position of the loaded model on a folder of songs (EvaluationRequest), by the
  // evaluation `spe eval` runs. On the calling (worker) thread, beside generate(); `progress` (0 … 1) after
  // each file read and each song evaluated; `cancelled` is polled between songs and returns a curve with
  // cancelled = true. Bad files are skipped (one line each). Throws std::exception with one line (no MIDI
  // files, no readable song, an engine without evaluation).
  virtual EvaluationCurve evaluate(const EvaluationRequest& request, const std::function<void(double fraction)>& progress,
                                   const std::function<bool()>& cancelled) const;
  // Runs one take (all its candidates) on the calling (worker) thread and returns them whole. Throws
  // std::exception with a one-line message on failure.
  virtual GenerationOutcome generate(const GenerationRequest& request, const GenerationSink& sink) = 0;
  // The attention the take of `trace` saw (its own model seed) in `layer` / `head` (−1: mean over heads)
  // over [begin, end). May run on any thread, beside generate(). Throws std::exception with one line
  // (wrong model, layer, head or window; an engine without attention).
  virtual AttentionMap attention(const TokenTrace& trace, int layer, int head, std::int64_t begin,
                                 std::int64_t end) const;
  // The positional templates of `layer` for lags 0 … max_lag (SPE), or the APE dot products over
  // positions 0 … max_lag (subsampled to at most 512 × 512). May run on any thread, beside generate().
  // Throws std::exception with one line (no such layer, a model without positional encoding, an engine
  // without templates).
  virtual PositionalTemplates positionalTemplates(int layer, std::int64_t max_lag) const;
};

// The first `end` ticks of `score` as a prompt: notes starting before `end` (kept whole, flagged
// from_prompt), with the tempo map, signatures, markers and chords that precede `end`.
music::Score prompt_prefix(const music::Score& score, music::Tick end);

}  // namespace spe::ui
