// toy_lm.hpp (torch) before Catch: c10's logging defines a CHECK macro that would replace Catch's.
#include "toy_lm.hpp"
#undef CHECK
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/checkpoint.hpp"
#include "test_paths.hpp"
#include "train/trainer.hpp"

namespace fs = std::filesystem;
using namespace spe::train;
using spe::test::rule_songs;

namespace {

TrainOptions options(const fs::path& out, std::int64_t steps) {
  TrainOptions o;
  o.steps = steps;
  o.lr = 1e-2;
  o.warmup = 5;
  o.val_every = 10;
  o.ckpt_every = 10;
  o.seed = 11;
  o.out_dir = out;
  return o;
}

struct Run {
  std::vector<TokenSeq> songs = rule_songs(6, 40);
  std::vector<TokenSeq> val = rule_songs(2, 30);
  std::vector<const TokenSeq*> ptrs() const {
    std::vector<const TokenSeq*> p;
    for (const auto& s : songs) p.push_back(&s);
    return p;
  }
  BatchSampler sampler() const { return BatchSampler(ptrs(), {.batch = 3, .seq_len = 16, .pad_id = 0, .max_transpose = 0, .seed = 4}); }
};

std::vector<float> weights(const TrainableLM& lm) {
  std::vector<float> w;
  for (const auto& p : lm.module->parameters()) {
    auto c = p.detach().to(torch::kFloat).contiguous().view(-1);
    w.insert(w.end(), c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  }
  return w;
}

}  // namespace

TEST_CASE("trainer reduces the loss of a learnable toy corpus and writes model, log and checkpoint") {
  Run run;
  fs::path out = spe::test::scratch_dir("trainer_learn");
  auto lm = spe::test::toy_trainable(13, 32, 1);
  spe::io::CheckpointMeta meta;
  meta.name = "toy";
  meta.license = "CC0";
  Trainer trainer(lm, run.sampler(), run.val, options(out, 60), meta);
  const double val_before = trainer.validate();
  TrainResult r = trainer.run();
  CHECK(r.steps_done == 60);
  CHECK_FALSE(r.interrupted);
  // Uniform guessing over 13 tokens costs ln 13 = 2.56 nats; the rule is deterministic after one token.
  CHECK(r.first_loss > 2.2);
  CHECK(r.mean_loss_last < 0.5 * r.first_loss);
  REQUIRE(r.best_val_loss);
  CHECK(*r.best_val_loss < 0.5 * val_before);

  CHECK(spe::io::is_checkpoint_dir(out));
  CHECK(spe::io::is_checkpoint_dir(out / "training" / "best"));
  CHECK(fs::exists(out / "training" / "checkpoint" / "state.json"));
  CHECK(fs::exists(out / "training" / "checkpoint" / "optimizer.pt"));
  CHECK_FALSE(fs::exists(out / "training" / "checkpoint.tmp"));
  auto [m, w] = spe::io::read_checkpoint_meta(out);
  CHECK(m.steps == 60);
  CHECK(m.training_length == 16);
  CHECK(m.license == "CC0");
  CHECK(m.metrics["val_loss"].get<double>() == Approx(*r.last_val_loss));
  std::ifstream log(out / "training" / "log.csv");
  std::string line;
  int rows = -1, val_rows = 0;
  while (std::getline(log, line)) {
    ++rows;
    if (rows > 0 && line.find(",,") == std::string::npos) ++val_rows;
  }
  CHECK(rows == 60);
  CHECK(val_rows == 6);

  // A second run into the same folder without --resume is refused instead of overwriting.
  auto lm2 = spe::test::toy_trainable(13, 32, 1);
  Trainer again(lm2, run.sampler(), run.val, options(out, 60), meta);
  CHECK_THROWS_WITH(again.run(), Catch::Contains("--resume"));
}

TEST_CASE("a run stopped at a checkpoint and resumed equals the uninterrupted run exactly") {
  Run run;
  fs::path full_out = spe::test::scratch_dir("trainer_full");
  fs::path split_out = spe::test::scratch_dir("trainer_split");
  auto full_lm = spe::test::toy_trainable(13, 32, 3);
  Trainer full(full_lm, run.sampler(), run.val, options(full_out, 30), {});
  TrainResult a = full.run();

  auto first_lm = spe::test::toy_trainable(13, 32, 3);
  Trainer first(first_lm, run.sampler(), run.val, options(split_out, 30), {});
  int polled = 0;
  TrainResult b = first.run({.on_step = {}, .should_stop = [&] { return polled++ == 17; }, .on_message = {}});
  CHECK(b.interrupted);
  CHECK(b.steps_done == 17);  // stopped between checkpoints: the stop itself saves one

  // A fresh model with other initial weights: everything must come from the checkpoint.
  auto second_lm = spe::test::toy_trainable(13, 32, 99);
  auto opts = options(split_out, 30);
  opts.resume = true;
  Trainer second(second_lm, run.sampler(), run.val, opts, {});
  std::vector<std::string> messages;
  TrainResult c = second.run({.on_step = {}, .should_stop = {}, .on_message = [&](const std::string& m) { messages.push_back(m); }});
  CHECK(c.resumed_from == 17);
  REQUIRE_FALSE(messages.empty());
  CHECK(messages[0].find("resumed from step 17") != std::string::npos);
  REQUIRE(b.losses.size() + c.losses.size() == a.losses.size());
  for (std::size_t i = 0; i < b.losses.size(); ++i) CHECK(b.losses[i] == a.losses[i]);
  for (std::size_t i = 0; i < c.losses.size(); ++i) CHECK(c.losses[i] == a.losses[b.losses.size() + i]);
  CHECK(weights(second_lm) == weights(full_lm));
  CHECK(*c.last_val_loss == *a.last_val_loss);

  // The log was cut back to step 17 on resume and continued: exactly 30 rows, steps 1..30 once.
  std::ifstream log(split_out / "training" / "log.csv");
  std::string line;
  std::getline(log, line);
  int expected = 1;
  while (std::getline(log, line)) CHECK(std::stoi(line.substr(0, line.find(','))) == expected++);
  CHECK(expected == 31);
}

TEST_CASE("bad trainer options are clear errors") {
  Run run;
  auto lm = spe::test::toy_trainable(13, 8, 1);
  auto o = options(spe::test::scratch_dir("trainer_bad"), 10);
  o.device = "tpu";
  CHECK_THROWS_WITH(Trainer(lm, run.sampler(), run.val, o, {}), Catch::Contains("unknown device 'tpu'"));
  o.device = "cpu";
  o.steps = 0;
  CHECK_THROWS_WITH(Trainer(lm, run.sampler(), run.val, o, {}), Catch::Contains("--steps"));
}
