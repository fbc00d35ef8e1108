#pragma once
// Loss vs position of a model on a folder of MIDI files (paper Figure 3 / Table 6): read and encode the
// folder (token cache), pick the songs (all, or the validation side of the model's own split), run
// evaluate_positions and bucket the result. The one implementation behind `spe eval` and the app's
// "Loss vs position" dock, so both give the same numbers for the same folder and options.

#include <cstdint>
#include <filesystem>
#include <vector>

#include "io/checkpoint.hpp"
#include "model/config.hpp"
#include "tokens/tokenizer.hpp"
#include "train/evaluator.hpp"
#include "train/position_loss.hpp"
#include "train/token_cache.hpp"

namespace spe::train {

struct FolderEvalOptions {
  EvalOptions eval;     // max_position, seed, device, batch; on_progress per song, should_stop between songs
  CorpusOptions corpus; // cache, threads, max_files; on_progress per file, should_stop between files
  std::size_t bucket = 64;
  bool all_songs = true;  // false: only the validation songs of the split below (the model's own)
  double validation_fraction = 0.05;
  std::uint64_t split_seed = 0;
  // Takes validation_fraction and split_seed from a model's training record (defaults when absent).
  void use_split_of(const io::CheckpointMeta& meta);
};

struct FolderEvaluation {
  PositionLossReport report;
  std::size_t songs = 0;              // songs evaluated
  std::vector<SkippedFile> skipped;   // files that could not be read or encoded
  bool cancelled = false;             // a should_stop answered true: report and songs are empty
};

// The training length a model folder records (training.length), else its architecture's train_len.
std::size_t training_length(const io::CheckpointMeta& meta, const model::ModelConfig& config);

// Throws std::runtime_error (one line) when the folder has no MIDI files, no song is left to evaluate,
// or options are invalid (max_position or bucket 0).
FolderEvaluation evaluate_folder(TrainableLM& model, const tokens::Tokenizer& tokenizer,
                                 const std::filesystem::path& data, std::size_t train_len,
                                 const FolderEvalOptions& options);

}  // namespace spe::train
