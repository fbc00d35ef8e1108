// `spe train` and `spe eval` end to end on a few real POP909 songs, plus their error paths.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "music/score_midi.hpp"
#include "spe_run.hpp"
#include "test_paths.hpp"

namespace fs = std::filesystem;

using spe::test::last_nonempty_line;
using spe::test::ProgramRun;
using spe::test::run_spe_cli;

namespace {

std::string q(const fs::path& p) {
  std::string quoted(1, '\'');
  quoted.append(p.string()).push_back('\'');
  return quoted;
}

const char* kTiny =
    " --scheme remi --pe sine --config small --layers 1 --d-model 32 --heads 2 --d-ff 64 --realizations 8 --sines 2"
    " --seq-len 32 --batch 2 --lr 3e-3 --warmup 5 --val-every 10 --ckpt-every 10 --val-fraction 0.25 --threads 2";

}  // namespace

TEST_CASE("spe train then spe eval --json on four POP909 songs", "[integration]") {
  auto pop = spe::test::shared_data("pop909");
  if (!pop) return;
  const fs::path root = spe::test::scratch_dir("cli_train_eval");
  const fs::path data = root / "data", cache = root / "cache", out = root / "model";
  fs::create_directories(data);
  for (const char* id : {"010", "011", "012", "013"})
    fs::create_symlink(*pop / "POP909" / id / (std::string(id) + ".mid"), data / (std::string(id) + ".mid"));
  std::ofstream(data / "broken.mid") << "this is not a MIDI file";

  ProgramRun train =
      run_spe_cli("train --data " + q(data) + kTiny + " --steps 20 --seed 3 --license MIT --cache " +
                  q(cache) + " --out " + q(out));
  INFO(train.output);
  REQUIRE(train.status == 0);
  CHECK(train.output.find("skipped broken.mid") != std::string::npos);
  CHECK(train.output.find("4 songs (3 train, 1 validation)") != std::string::npos);
  CHECK(train.output.find("trained to step 20") != std::string::npos);

  nlohmann::json meta = nlohmann::json::parse(std::ifstream(out / "model.json"));
  CHECK(meta["license"] == "MIT");
  CHECK(meta["training"]["steps"] == 20);
  CHECK(meta["training"]["length"] == 32);
  CHECK(meta["training"]["dataset"]["songs_train"] == 3);
  CHECK(meta["training"]["dataset"]["skipped"] == 1);
  CHECK(meta["training"]["metrics"]["val_loss"].get<double>() > 0);
  CHECK(meta["provenance"]["command"].get<std::string>().find("train --data") != std::string::npos);
  CHECK(fs::exists(out / "training" / "log.csv"));

  // Eval over the model's own validation song, 3× the training length.
  const fs::path csv = root / "buckets.csv";
  ProgramRun eval =
      run_spe_cli("eval --model " + q(out) + " --data " + q(data) +
                  " --max-position 96 --bucket 32 --json --csv " + q(csv) + " --cache " + q(cache));
  INFO(eval.output);
  REQUIRE(eval.status == 0);
  auto j = nlohmann::json::parse(last_nonempty_line(eval.output));
  CHECK(j["train_len"] == 32);
  CHECK(j["trained"]["songs"] == 1);
  CHECK(j["trained"]["tokens"] == 32);
  CHECK(j["extrapolation"]["tokens"] == 64);
  REQUIRE(j["buckets"].size() == 3);
  // The trained range is exactly the first bucket; the validation loss during training was the same
  // quantity (first 32 positions of the same song, same fixed noise policy aside).
  CHECK(j["trained"]["mean"].get<double>() == Approx(j["buckets"][0]["mean"].get<double>()));
  CHECK(j["trained"]["mean"].get<double>() < std::log(333.0));
  std::ifstream csv_in(csv);
  std::string header;
  std::getline(csv_in, header);
  CHECK(header == "begin,end,mean,std,songs,tokens,region");

  // Same folder again without --resume is refused; with --resume it continues to the new step count.
  ProgramRun again = run_spe_cli("train --data " + q(data) + kTiny + " --steps 20 --seed 3 --cache " +
                                 q(cache) + " --out " + q(out));
  CHECK(again.status == 2);
  CHECK(again.output.find("--resume") != std::string::npos);
  ProgramRun resumed = run_spe_cli("train --data " + q(data) + kTiny +
                                   " --steps 25 --seed 3 --resume --cache " + q(cache) + " --out " + q(out));
  INFO(resumed.output);
  CHECK(resumed.status == 0);
  CHECK(resumed.output.find("[cached]") != std::string::npos);
  CHECK(resumed.output.find("resumed from step 20") != std::string::npos);
  CHECK(resumed.output.find("trained to step 25") != std::string::npos);
}

TEST_CASE("spe train and spe eval reject bad input with one-line messages") {
  const fs::path root = spe::test::scratch_dir("cli_train_errors");
  ProgramRun missing = run_spe_cli("train --data " + q(root / "nope") + " --out " + q(root / "m"));
  CHECK(missing.status == 2);
  fs::create_directories(root / "empty");
  ProgramRun empty = run_spe_cli("train --data " + q(root / "empty") + " --out " + q(root / "m") +
                                 " --cache " + q(root / "c"));
  CHECK(empty.status == 2);
  CHECK(empty.output.find("no .mid/.midi files") != std::string::npos);
  std::ofstream(root / "empty" / "junk.mid") << "junk";
  ProgramRun junk = run_spe_cli("train --data " + q(root / "empty") + " --out " + q(root / "m") +
                                " --cache " + q(root / "c"));
  CHECK(junk.status == 2);
  CHECK(junk.output.find("none of the MIDI files could be used") != std::string::npos);
  ProgramRun badpe = run_spe_cli("train --data " + q(root / "empty") + " --pe rope --out " + q(root / "m"));
  CHECK(badpe.status == 2);
  ProgramRun nomodel = run_spe_cli("eval --model " + q(root / "empty") + " --data " + q(root / "empty") +
                                   " --max-position 10");
  CHECK(nomodel.status == 2);
  CHECK(nomodel.output.rfind("spe: ", 0) == 0);
  CHECK(nomodel.output.find(root.filename().string()) != std::string::npos);
  ProgramRun noargs = run_spe_cli("eval --max-position 10");
  CHECK(noargs.status == 2);
  CHECK(noargs.output.find("--model") != std::string::npos);
}

TEST_CASE("spe eval --style pairs continuations with their sources and scores each chunk") {
  const fs::path root = spe::test::scratch_dir("cli_style");
  fs::create_directories(root / "src");
  fs::create_directories(root / "gen");
  // A 10-bar bass riff (4/4, 480 tpq); the continuation "riff_take1" repeats it exactly.
  spe::music::Score riff;
  riff.ticks_per_beat = 480;
  spe::music::Track t;
  t.program = 33;
  for (int bar = 0; bar < 10; ++bar)
    for (auto [beat, pitch] : std::vector<std::pair<int, int>>{{0, 40}, {1, 47}, {2, 43}, {3, 47}})
      t.notes.push_back({(bar * 4 + beat) * 480, (bar * 4 + beat) * 480 + 240, pitch, 90, false});
  riff.tracks.push_back(t);
  spe::music::write_score(riff, root / "src" / "riff.mid");
  spe::music::write_score(riff, root / "gen" / "riff_take1.mid");
  spe::music::write_score(riff, root / "gen" / "orphan.mid");
  ProgramRun r = run_spe_cli("eval --style --continuations " + q(root / "gen") + " --sources " +
                             q(root / "src") + " --json");
  INFO(r.output);
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(last_nonempty_line(r.output));
  CHECK(j["pairs"] == 1);
  CHECK(j["unmatched"] == nlohmann::json::array({"orphan.mid"}));
  REQUIRE(j["chunks"].size() == 4);
  for (const auto& c : j["chunks"]) {
    CHECK(c["onset_duration"]["mean"].get<double>() == Approx(1.0));
    CHECK(c["time_pitch"]["mean"].get<double>() > 0.9);
  }
}

namespace {
std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
std::vector<double> logged_losses(const fs::path& csv) {
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  std::vector<double> out;
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string cell;
    for (int i = 0; i < 4; ++i) std::getline(row, cell, ',');
    out.push_back(std::stod(cell));
  }
  return out;
}
}  // namespace

TEST_CASE("two Gloo data-parallel processes agree with each other and with the single-process run", "[integration]") {
  auto pop = spe::test::shared_data("pop909");
  if (!pop) return;
  const fs::path root = spe::test::scratch_dir("cli_data_parallel");
  const fs::path data = root / "data", cache = root / "cache";
  fs::create_directories(data);
  for (const char* id : {"020", "021", "022", "023", "024"})
    fs::create_symlink(*pop / "POP909" / id / (std::string(id) + ".mid"), data / (std::string(id) + ".mid"));
  // Dropout off: with it, each rank's masks differ from the single process's (by design).
  const std::string model_args =
      " --scheme remi --pe sine --layers 1 --d-model 32 --heads 2 --d-ff 64 --realizations 8 --sines 2 --seq-len 32"
      " --lr 3e-3 --warmup 2 --val-every 4 --ckpt-every 0 --val-fraction 0.2 --threads 1";
  const std::string common = "train --data " + q(data) + model_args + " --steps 8 --dropout 0 --seed 9 --cache " + q(cache);
  ProgramRun single = run_spe_cli(common + " --batch 4 --out " + q(root / "single"));
  INFO(single.output);
  REQUIRE(single.status == 0);

  ProgramRun ranks[2];
  std::thread workers[2];
  for (int r = 0; r < 2; ++r)
    workers[r] = std::thread([&, r] {
      ranks[r] = run_spe_cli(common + " --batch 4 --out " + q(root / "dp") + " --world-size 2 --rank " +
                             std::to_string(r) + " --store " + q(root / "store"));
    });
  for (auto& w : workers) w.join();
  INFO(ranks[0].output << "\n---\n" << ranks[1].output);
  REQUIRE(ranks[0].status == 0);
  REQUIRE(ranks[1].status == 0);

  // Identical weights on both ranks (same bytes), and the same losses as one process on the whole batch
  // up to float summation order (gradients summed across ranks instead of inside one GEMM).
  const std::string w0 = read_bytes(root / "dp" / "model.safetensors");
  CHECK(w0.size() > 1000);
  CHECK(w0 == read_bytes(root / "dp" / "training" / "rank1" / "model.safetensors"));
  const auto dp = logged_losses(root / "dp" / "training" / "log.csv");
  const auto one = logged_losses(root / "single" / "training" / "log.csv");
  REQUIRE(dp.size() == 8);
  REQUIRE(one.size() == 8);
  for (std::size_t i = 0; i < dp.size(); ++i) CHECK(dp[i] == Approx(one[i]).epsilon(1e-4));
  CHECK(dp.back() < dp.front());

  ProgramRun bad = run_spe_cli(common + " --batch 3 --out " + q(root / "bad") +
                               " --world-size 2 --rank 0 --store " + q(root / "s2"));
  CHECK(bad.status == 2);
  CHECK(bad.output.find("not divisible") != std::string::npos);
}

TEST_CASE("Ctrl-C during spe train saves a checkpoint and the model, and --resume continues", "[integration]") {
  auto pop = spe::test::shared_data("pop909");
  if (!pop) return;
  const fs::path root = spe::test::scratch_dir("cli_sigint");
  const fs::path data = root / "data", out = root / "model";
  fs::create_directories(data);
  for (const char* id : {"030", "031", "032"})
    fs::create_symlink(*pop / "POP909" / id / (std::string(id) + ".mid"), data / (std::string(id) + ".mid"));
  const std::string args = "train --data " + q(data) + kTiny + " --seed 1 --cache " + q(root / "cache") + " --out " + q(out);
  // Far more steps than can run: the signal is sent once the first log row exists (no timing involved).
  const fs::path log = out / "training" / "log.csv";
  const std::string script = spe::test::spe_cli().string() + " " + args + " --steps 1000000 > " + q(root / "out.txt") +
                             " 2>&1 & pid=$!; while [ \"$(cat " + q(log) + " 2>/dev/null | wc -l)\" -lt 2 ]; do sleep 0.1; done;" +
                             " kill -INT $pid; wait $pid; echo $?";
  const ProgramRun killed =
      spe::test::run_command(script);  // sh runs the script; it prints spe's exit status
  REQUIRE_FALSE(killed.output.empty());
  std::ifstream text(root / "out.txt");
  const std::string output((std::istreambuf_iterator<char>(text)), std::istreambuf_iterator<char>());
  INFO(output);
  CHECK(std::atoi(killed.output.c_str()) == 130);
  const auto at = output.find("interrupted at step ");
  REQUIRE(at != std::string::npos);
  const int stopped = std::atoi(output.c_str() + at + 20);
  CHECK(stopped >= 1);
  nlohmann::json meta = nlohmann::json::parse(std::ifstream(out / "model.json"));
  CHECK(meta["training"]["steps"] == stopped);
  CHECK(fs::exists(out / "training" / "checkpoint" / "state.json"));

  ProgramRun resumed = run_spe_cli(args + " --resume --steps " + std::to_string(stopped + 2));
  INFO(resumed.output);
  CHECK(resumed.status == 0);
  CHECK(resumed.output.find("resumed from step " + std::to_string(stopped)) != std::string::npos);
  CHECK(resumed.output.find("trained to step " + std::to_string(stopped + 2)) != std::string::npos);
}
