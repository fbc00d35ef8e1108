#pragma once
// What the generation engine needs from a language model, with no torch in sight: a recurrent state that
// consumes one token per sequence and returns next-token logits in O(1) time and memory. The Performer
// adapter (performer_backend.hpp) implements it on PerformerLM; tests implement it with a tiny fake.

#include <cstdint>
#include <memory>
#include <span>

namespace spe::generate {

// A batch of recurrent states (one row per sequence) plus everything frozen for the take: SPE code, gating
// noise, FAVOR+ features and the position counter. Copying it (clone) is a snapshot.
class ModelState {
 public:
  virtual ~ModelState() = default;
  virtual std::unique_ptr<ModelState> clone() const = 0;
  virtual int batch() const = 0;
  virtual std::int64_t position() const = 0;  // tokens consumed so far (same for every row)
};

class IncrementalModel {
 public:
  virtual ~IncrementalModel() = default;
  virtual int vocab_size() const = 0;
  // A fresh state for `batch` sequences. Every random draw the model makes for this take (SPE noise,
  // gating noise, random features) comes from `seed`, so equal seeds give bit-identical takes.
  virtual std::unique_ptr<ModelState> begin_sequence(int batch, std::uint64_t seed) const = 0;
  // `copies` rows, each a copy of row 0 of `state` (used after a prompt was consumed once at batch 1).
  virtual std::unique_ptr<ModelState> expand(const ModelState& state, int copies) const = 0;
  // Row `row` of a batched state, as a batch-1 state (per-candidate snapshots for rewinding).
  virtual std::unique_ptr<ModelState> select_row(const ModelState& state, int row) const = 0;
  // Consumes tokens[b] for every row b and writes the next-token logits, row-major batch × vocab.
  virtual void step(ModelState& state, std::span<const int> tokens, std::span<float> logits) const = 0;
};

}  // namespace spe::generate
