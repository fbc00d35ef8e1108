// What `spe eval` and the app's "Loss vs position" dock share: the corpus options they add (max_files,
// should_stop) and evaluate_positions stopping between songs.
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>

#include "model/performer.hpp"
#include "test_paths.hpp"
#include "train/evaluator.hpp"
#include "train/model_folder.hpp"
#include "train/token_cache.hpp"

namespace fs = std::filesystem;
using namespace spe::train;

namespace {

fs::path five_files(const std::string& name) {
  const fs::path dir = spe::test::scratch_dir(name);
  for (const char* f : {"a.mid", "b.mid", "c.mid", "d.mid", "e.mid"}) std::ofstream(dir / f) << f;
  return dir;
}

TokenSeq bytes(const fs::path& p) {
  const std::string s = p.filename().string();
  return TokenSeq(s.begin(), s.end());
}

}  // namespace

TEST_CASE("corpus max_files takes the first files in path order and has its own cache key") {
  const fs::path dir = five_files("folder_eval_max_files");
  CorpusOptions opt;
  opt.cache_dir = dir / "cache";
  opt.threads = 2;
  opt.max_files = 2;
  const auto two = load_or_build_corpus(dir, "{}", bytes, opt);
  REQUIRE(two.songs.size() == 2);
  CHECK(two.songs[0].path == "a.mid");
  CHECK(two.songs[1].path == "b.mid");
  opt.max_files = 0;
  const auto all = load_or_build_corpus(dir, "{}", bytes, opt);
  CHECK(all.songs.size() == 5);
  CHECK_FALSE(all.from_cache);
  CHECK(all.key != two.key);
}

TEST_CASE("corpus should_stop stops encoding and caches nothing") {
  const fs::path dir = five_files("folder_eval_stop");
  std::atomic<int> calls{0};
  CorpusOptions opt;
  opt.cache_dir = dir / "cache";
  opt.threads = 1;
  opt.should_stop = [&] { return calls.load() >= 2; };
  const auto part = load_or_build_corpus(dir, "{}", [&](const fs::path& p) { ++calls; return bytes(p); }, opt);
  CHECK(part.songs.size() == 2);
  CHECK(part.skipped.empty());  // files not reached are not "skipped"
  CHECK_FALSE(fs::exists(cache_file_for(opt.cache_dir, part.key)));
}

TEST_CASE("evaluate_positions stops between songs when should_stop answers true") {
  auto config = spe::model::small_config(spe::model::PositionalKind::sine_spe);
  config.vocab_size = 13;
  config.pad_id = 12;
  config.n_layers = 1;
  config.d_model = 32;
  config.n_heads = 2;
  config.d_ff = 64;
  config.spe.realizations = 8;
  config.spe.num_sines = 2;
  config.feature_map.n_features = 16;
  config.train_len = 16;
  auto lm = trainable(std::make_shared<spe::model::PerformerLM>(config, 3));
  std::vector<TokenSeq> songs(4, TokenSeq{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  std::vector<const TokenSeq*> pointers;
  for (const auto& s : songs) pointers.push_back(&s);
  EvalOptions eopt;
  eopt.max_position = 8;
  std::size_t done = 0;
  eopt.on_progress = [&](std::size_t d, std::size_t) { done = d; };
  eopt.should_stop = [&] { return done >= 2; };
  CHECK(evaluate_positions(lm, pointers, eopt).songs() == 2);
  eopt.should_stop = nullptr;
  CHECK(evaluate_positions(lm, pointers, eopt).songs() == 4);
}
