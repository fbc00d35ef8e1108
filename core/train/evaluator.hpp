#pragma once
// Teacher-forced cross-entropy per position over whole songs (paper Figure 3 / Table 6): each song's
// first max_position + 1 tokens go through ONE parallel forward pass (linear attention keeps memory
// linear in the length), with fixed noise seeds so that models and runs are compared on equal terms.
// Songs go through the model `batch` at a time, right-padded to the longest: the model is causal, so a
// song's losses do not depend on its batch (up to float rounding). evaluate_positions draws the SPE codes
// and FAVOR+ projections once for all passes (TrainableLM::fixed_noise_logits): every pass uses the same
// seeds.

#include <cstdint>
#include <functional>

#include "train/position_loss.hpp"
#include "train/token_cache.hpp"
#include "train/trainable_model.hpp"

namespace spe::train {

struct EvalOptions {
  std::size_t max_position = 2048;  // positions 0 … max_position − 1 are evaluated
  std::uint64_t seed = 0;           // noise seeds of every forward pass
  std::string device = "cpu";
  std::size_t batch = 1;  // songs per forward pass (≥ 1); on the CPU more did not help (eval-speed.md)
  std::function<void(std::size_t done, std::size_t total)> on_progress;
  // Polled before each forward pass; true stops evaluate_positions early (it returns the songs done so far).
  std::function<bool()> should_stop;
};

// Per-position losses (nats) of one song: element i = −log p(tokens[i+1] | tokens[0..i]).
std::vector<double> position_losses(TrainableLM& model, const TokenSeq& song, const EvalOptions& options);

// The same for several songs in one forward pass; element i belongs to songs[i] (empty when < 2 tokens).
std::vector<std::vector<double>> position_losses_batch(TrainableLM& model,
                                                       const std::vector<const TokenSeq*>& songs,
                                                       const EvalOptions& options);

PositionLossAccumulator evaluate_positions(TrainableLM& model, const std::vector<const TokenSeq*>& songs,
                                           const EvalOptions& options);

}  // namespace spe::train
