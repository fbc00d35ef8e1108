// Training the real PerformerLM: loss reduction on real POP909 songs, exact resume, evaluation.
// torch before Catch: c10's logging defines a CHECK macro (abort on failure) that would replace Catch's.
#include <torch/torch.h>
#undef CHECK
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "model/performer.hpp"
#include "model_folder/model_folder.hpp"
#include "test_paths.hpp"
#include "toy_lm.hpp"
#include "tokens/tokenizer.hpp"
#include "train/evaluator.hpp"
#include "train/midi_dataset.hpp"
#include "train/model_folder.hpp"
#include "train/trainer.hpp"

namespace fs = std::filesystem;
using namespace spe::train;
using spe::test::rule_songs;

namespace {

spe::model::ModelConfig tiny_config(int vocab, int pad, spe::model::PositionalKind pe) {
  auto c = spe::model::small_config(pe);
  c.vocab_size = vocab;
  c.pad_id = pad;
  c.n_layers = 2;
  c.d_model = 32;
  c.n_heads = 2;
  c.d_ff = 64;
  c.spe.realizations = 16;
  c.spe.num_sines = 2;
  c.spe.kernel_size = 16;
  c.feature_map.n_features = 32;
  c.train_len = 64;
  c.ape_max_len = 1024;
  return c;
}

std::vector<float> flat_weights(torch::nn::Module& m) {
  std::vector<float> w;
  for (const auto& p : m.parameters()) {
    auto c = p.detach().contiguous().view(-1);
    w.insert(w.end(), c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  }
  return w;
}

}  // namespace

TEST_CASE("PerformerLM (convSPE, gated): stop + resume reproduces the uninterrupted run exactly") {
  torch::set_num_threads(1);
  auto songs = rule_songs(5, 50);
  std::vector<const TokenSeq*> ptrs;
  for (const auto& s : songs) ptrs.push_back(&s);
  const auto config = tiny_config(13, 0, spe::model::PositionalKind::conv_spe);
  SamplerOptions sopt{.batch = 2, .seq_len = 24, .pad_id = 0, .max_transpose = 0, .seed = 8};
  auto opts = [](const fs::path& out) {
    TrainOptions o;
    o.steps = 12;
    o.lr = 3e-3;
    o.warmup = 3;
    o.val_every = 4;
    o.ckpt_every = 5;
    o.feature_redraw_probability = 0.3;  // exercise the redraw policy across the resume
    o.seed = 21;
    o.out_dir = out;
    return o;
  };
  const auto val = rule_songs(2, 30);

  auto full_model = std::make_shared<spe::model::PerformerLM>(config, 1);
  fs::path full_out = spe::test::scratch_dir("performer_full");
  Trainer full(trainable(full_model), BatchSampler(ptrs, sopt), val, opts(full_out), {});
  const TrainResult a = full.run();

  fs::path split_out = spe::test::scratch_dir("performer_split");
  auto first_model = std::make_shared<spe::model::PerformerLM>(config, 1);
  Trainer first(trainable(first_model), BatchSampler(ptrs, sopt), val, opts(split_out), {});
  int polled = 0;
  const TrainResult b =
      first.run({.on_step = {}, .should_stop = [&] { return polled++ == 7; }, .on_message = {}});
  REQUIRE(b.steps_done == 7);

  auto second_model =
      std::make_shared<spe::model::PerformerLM>(config, 77);  // other init: must be overwritten
  auto o = opts(split_out);
  o.resume = true;
  Trainer second(trainable(second_model), BatchSampler(ptrs, sopt), val, o, {});
  const TrainResult c = second.run();
  REQUIRE(c.resumed_from == 7);
  REQUIRE(b.losses.size() + c.losses.size() == a.losses.size());
  std::vector<double> resumed = b.losses;
  resumed.insert(resumed.end(), c.losses.begin(), c.losses.end());
  CHECK(resumed == a.losses);
  CHECK(flat_weights(*second_model) == flat_weights(*full_model));
  CHECK(*c.best_val_loss == *a.best_val_loss);
}

TEST_CASE("bf16 autocast training (CPU) runs and learns the toy rule") {
  torch::set_num_threads(1);
  auto songs = rule_songs(4, 40);
  std::vector<const TokenSeq*> ptrs;
  for (const auto& s : songs) ptrs.push_back(&s);
  auto model =
      std::make_shared<spe::model::PerformerLM>(tiny_config(13, 0, spe::model::PositionalKind::sine_spe), 2);
  TrainOptions o;
  o.steps = 40;
  o.lr = 1e-2;
  o.warmup = 4;
  o.val_every = 0;
  o.ckpt_every = 0;
  o.bf16_autocast = true;
  o.out_dir = spe::test::scratch_dir("performer_bf16");
  Trainer trainer(trainable(model),
                  BatchSampler(ptrs, {.batch = 4, .seq_len = 24, .pad_id = 0, .max_transpose = 0, .seed = 1}),
                  rule_songs(1, 30), o, {});
  const auto r = trainer.run();
  INFO("first " << r.first_loss << ", mean over the 40 steps " << r.mean_loss_last);
  // ln 13 = 2.56 at the start; the rule is deterministic, bf16 rounding does not stop the descent.
  CHECK(r.first_loss > 2.0);
  CHECK(r.mean_loss_last < 0.6 * r.first_loss);
  for (const auto& p : model->parameters()) CHECK(p.scalar_type() == torch::kFloat);  // weights stay F32
}

TEST_CASE("tiny sineSPE Performer trained 150 steps on real POP909 songs clearly reduces its loss",
          "[integration]") {
  auto pop = spe::test::shared_data("pop909");
  if (!pop) return;
  torch::set_num_threads(2);
  // Six songs through the real MIDI reader and REMI tokenizer (cached in the scratch folder).
  fs::path data = spe::test::scratch_dir("performer_pop/data");
  for (const char* id : {"001", "002", "003", "004", "005", "006"})
    fs::create_symlink(*pop / "POP909" / id / (std::string(id) + ".mid"), data / (std::string(id) + ".mid"));
  auto tokenizer = spe::tokens::make_tokenizer(nlohmann::json{{"scheme", "remi"}, {"vocab", "paper"}});
  CorpusOptions copt{
      .cache_dir = spe::test::scratch_dir("performer_pop/cache"), .threads = 2, .on_progress = {}};
  const auto corpus = load_or_build_corpus(data, tokenizer->to_json().dump(), midi_encoder(*tokenizer), copt);
  REQUIRE(corpus.songs.size() == 6);
  const auto split = split_corpus(corpus, 0.2, 0);
  REQUIRE(split.validation.size() == 2);

  const auto config = tiny_config(static_cast<int>(tokenizer->vocab().size()), tokenizer->pad(),
                                  spe::model::PositionalKind::sine_spe);
  auto model = std::make_shared<spe::model::PerformerLM>(config, 0);
  SamplerOptions sopt{.batch = 4, .seq_len = 64, .pad_id = tokenizer->pad(), .max_transpose = 6, .seed = 1};
  TrainOptions o;
  o.steps = 150;
  o.lr = 3e-3;
  o.warmup = 10;
  o.val_every = 0;
  o.ckpt_every = 0;
  o.seed = 5;
  o.out_dir = spe::test::scratch_dir("performer_pop/out");
  std::vector<TokenSeq> val;
  for (const auto* v : split.validation) val.push_back(*v);
  Trainer trainer(trainable(model), BatchSampler(split.train, sopt, transposition_table_for(*tokenizer)), val,
                  o, describe_model(config, *tokenizer));
  const double val_before = trainer.validate();
  const TrainResult r = trainer.run();
  // Untrained, the model spreads mass over 333 tokens (ln 333 = 5.81 nats). REMI's grammar alone (Beat →
  // Chord/Tempo/Pitch, Pitch → Velocity → Duration) is learnable within 150 steps; we require the mean of
  // the last 50 training losses to be at least 1.5 nats below the first loss, and validation to improve
  // by at least 1 nat.
  INFO("first loss " << r.first_loss << ", mean of last 50 " << r.mean_loss_last << ", val " << val_before
                     << " -> " << *r.last_val_loss);
  CHECK(r.first_loss > 5.0);
  CHECK(r.mean_loss_last < r.first_loss - 1.5);
  REQUIRE(r.last_val_loss);
  CHECK(*r.last_val_loss < val_before - 1.0);

  // The saved folder loads back and evaluates the same validation loss over its first 64 positions.
  auto loaded = spe::model_folder::load(o.out_dir);
  CHECK(loaded.meta.steps == 150);
  CHECK(loaded.tokenizer->vocab().size() == tokenizer->vocab().size());
  auto lm = trainable(loaded.model);
  EvalOptions eopt;
  eopt.max_position = 256;
  const auto report = evaluate_positions(lm, split.validation, eopt).report(64, 64);
  CHECK(report.trained.tokens == 128);
  CHECK(report.extrapolation.tokens == 2 * (256 - 64));
  CHECK(report.trained.mean < val_before - 1.0);
  // Sine SPE extrapolates: four times the training length stays far below the untrained loss.
  CHECK(report.extrapolation.mean < val_before - 0.5);
}

TEST_CASE("batched evaluation gives every song the losses of its own forward pass") {
  // Songs of different lengths (one shorter than 2 tokens, one beyond max_position) in batches of 1, 2
  // and 8 (right padding), for APE and both SPE kinds; the model weights are random.
  std::vector<TokenSeq> songs;
  at::Generator g = at::detail::createCPUGenerator(4);
  for (int len : {150, 40, 1, 97, 200, 3}) {
    auto t = torch::randint(0, 13, {len}, g, torch::dtype(torch::kInt32));
    songs.emplace_back(t.data_ptr<std::int32_t>(), t.data_ptr<std::int32_t>() + len);
  }
  std::vector<const TokenSeq*> pointers;
  for (const auto& s : songs) pointers.push_back(&s);
  for (auto pe : {spe::model::PositionalKind::ape_sine, spe::model::PositionalKind::sine_spe,
                  spe::model::PositionalKind::conv_spe}) {
    INFO("pe " << spe::model::to_string(pe));
    auto lm = trainable(std::make_shared<spe::model::PerformerLM>(tiny_config(13, 12, pe), 3));
    EvalOptions eopt;
    eopt.max_position = 128;
    eopt.seed = 7;
    std::vector<std::vector<double>> single;
    for (const auto* s : pointers) single.push_back(position_losses(lm, *s, eopt));
    REQUIRE(single[0].size() == 128);  // capped at max_position
    REQUIRE(single[1].size() == 39);
    REQUIRE(single[2].empty());
    for (std::size_t batch : {2, 8}) {
      INFO("batch " << batch);
      eopt.batch = batch;
      std::vector<std::vector<double>> batched;
      for (std::size_t begin = 0; begin < pointers.size(); begin += batch) {
        std::vector<const TokenSeq*> group(pointers.begin() + begin,
                                           pointers.begin() + std::min(pointers.size(), begin + batch));
        for (auto& l : position_losses_batch(lm, group, eopt)) batched.push_back(l);
      }
      REQUIRE(batched.size() == single.size());
      for (std::size_t i = 0; i < single.size(); ++i) {
        REQUIRE(batched[i].size() == single[i].size());
        for (std::size_t j = 0; j < single[i].size(); ++j)
          CHECK(batched[i][j] == Approx(single[i][j]).epsilon(1e-5));
      }
      // evaluate_positions (codes and projections drawn once for all batches) reports what the song-by-song
      // forward passes give.
      PositionLossAccumulator reference;
      for (const auto& l : single) reference.add_song(l);
      const auto expected = reference.report(64, 32);
      const auto actual = evaluate_positions(lm, pointers, eopt).report(64, 32);
      CHECK(actual.trained.tokens == expected.trained.tokens);
      CHECK(actual.extrapolation.tokens == expected.extrapolation.tokens);
      CHECK(actual.trained.mean == Approx(expected.trained.mean).epsilon(1e-6));
      CHECK(actual.extrapolation.mean == Approx(expected.extrapolation.mean).epsilon(1e-6));
      REQUIRE(actual.buckets.size() == expected.buckets.size());
      for (std::size_t k = 0; k < actual.buckets.size(); ++k)
        CHECK(actual.buckets[k].stats.mean == Approx(expected.buckets[k].stats.mean).epsilon(1e-6));
    }
  }
}
