#pragma once
// Glue between MIDI files, a tokenizer and the training data: the encoder the token cache calls, and the
// transposition table matching a tokenizer's vocabulary.

#include "tokens/tokenizer.hpp"
#include "train/token_cache.hpp"
#include "train/transposition.hpp"

namespace spe::train {

// Reads a MIDI file and encodes it; errors name the file. A file that yields no notes is refused
// (it would only teach the model to emit empty songs).
EncodeFn midi_encoder(const tokens::Tokenizer& tokenizer);

// REMI: note pitches and chord roots; event: note on/off of bass and harmonic tracks (drums never move).
TranspositionTable transposition_table_for(const tokens::Tokenizer& tokenizer);

// The corpus's songs on each side of the split_by_song split (pointers into `corpus`).
struct CorpusSplit {
  std::vector<const TokenSeq*> train, validation;
  std::vector<std::string> validation_paths;
};
CorpusSplit split_corpus(const TokenCorpus& corpus, double val_fraction, std::uint64_t seed);

// Default ± semitones of the transposition augmentation: pop piano (REMI) 6, groove (event) 5.
int default_max_transpose(const tokens::Tokenizer& tokenizer);

}  // namespace spe::train
