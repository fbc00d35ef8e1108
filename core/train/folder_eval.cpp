#include "train/folder_eval.hpp"

#include <stdexcept>

#include "train/midi_dataset.hpp"

namespace spe::train {

void FolderEvalOptions::use_split_of(const io::CheckpointMeta& meta) {
  const auto& ds = meta.dataset;
  validation_fraction =
      ds.is_object() && ds.contains("validation_fraction") ? ds["validation_fraction"].get<double>() : 0.05;
  split_seed = ds.is_object() && ds.contains("split_seed") ? ds["split_seed"].get<std::uint64_t>() : 0;
}

std::size_t training_length(const io::CheckpointMeta& meta, const model::ModelConfig& config) {
  return meta.training_length > 0 ? static_cast<std::size_t>(meta.training_length)
                                  : static_cast<std::size_t>(config.train_len);
}

FolderEvaluation evaluate_folder(TrainableLM& model, const tokens::Tokenizer& tokenizer,
                                 const std::filesystem::path& data, std::size_t train_len,
                                 const FolderEvalOptions& options) {
  if (options.eval.max_position == 0) throw std::runtime_error("the evaluated length must be at least 1");
  if (options.bucket == 0) throw std::runtime_error("the bucket must be at least 1 position");
  FolderEvaluation out;
  const auto stop = [&] { return options.eval.should_stop && options.eval.should_stop(); };
  CorpusOptions copt = options.corpus;
  if (!copt.should_stop && options.eval.should_stop) copt.should_stop = options.eval.should_stop;
  const auto corpus = load_or_build_corpus(data, tokenizer.to_json().dump(), midi_encoder(tokenizer), copt);
  out.skipped = corpus.skipped;
  if ((copt.should_stop && copt.should_stop()) || stop()) {
    out.cancelled = true;
    return out;
  }
  std::vector<const TokenSeq*> songs;
  if (options.all_songs) {
    for (const auto& s : corpus.songs) songs.push_back(&s.tokens);
  } else {
    songs = split_corpus(corpus, options.validation_fraction, options.split_seed).validation;
  }
  if (songs.empty() && corpus.songs.empty())
    throw std::runtime_error(data.string() + ": no readable song to evaluate" +
                             (corpus.skipped.empty() ? std::string()
                                                     : " (" + std::to_string(corpus.skipped.size()) +
                                                           " skipped; first: " + corpus.skipped.front().reason + ")"));
  if (songs.empty()) throw std::runtime_error(data.string() + ": no songs to evaluate (try --all-songs)");
  const auto acc = evaluate_positions(model, songs, options.eval);
  if (stop() && acc.songs() < songs.size()) {
    out.cancelled = true;
    return out;
  }
  out.songs = acc.songs();
  out.report = acc.report(train_len, options.bucket);
  return out;
}

}  // namespace spe::train
