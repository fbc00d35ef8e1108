#include "train/midi_dataset.hpp"

#include <stdexcept>

#include "music/score_midi.hpp"
#include "train/song_split.hpp"

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

CorpusSplit split_corpus(const TokenCorpus& corpus, double val_fraction, std::uint64_t seed) {
  std::vector<std::string> ids;
  for (const auto& s : corpus.songs) ids.push_back(s.path);
  const SongSplit split = split_by_song(ids, val_fraction, seed);
  CorpusSplit out;
  for (auto i : split.train) out.train.push_back(&corpus.songs[i].tokens);
  for (auto i : split.validation) {
    out.validation.push_back(&corpus.songs[i].tokens);
    out.validation_paths.push_back(corpus.songs[i].path);
  }
  return out;
}

int default_max_transpose(const tokens::Tokenizer& tokenizer) { return tokenizer.scheme() == "event" ? 5 : 6; }

}  // namespace spe::train
