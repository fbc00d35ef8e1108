#include "train/midi_dataset.hpp"

#include <stdexcept>

#include "music/score_midi.hpp"

namespace spe::train {

EncodeFn midi_encoder(const tokens::Tokenizer& tokenizer) {
  return [&tokenizer](const std::filesystem::path& path) {
    const music::Score score = music::read_score(path);
    if (score.note_count() == 0) throw std::runtime_error(path.string() + ": no notes");
    tokens::EncodeReport report;
    auto ids = tokenizer.encode(score, &report);
    if (report.notes_encoded == 0) throw std::runtime_error(path.string() + ": no notes this tokenizer can encode");
    return TokenSeq(ids.begin(), ids.end());
  };
}

TranspositionTable transposition_table_for(const tokens::Tokenizer& tokenizer) {
  return TranspositionTable::from_token_names(tokenizer.vocab().names(), {1});
}

int default_max_transpose(const tokens::Tokenizer& tokenizer) { return tokenizer.scheme() == "event" ? 5 : 6; }

}  // namespace spe::train
