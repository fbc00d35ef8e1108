// `spe train --init-from` (warm start from a model folder), `--pause-after` slices and SIGTERM: the
// background trainer (packaging/train-bundled.sh) relies on all three continuing a run bit-exactly.

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

#include "spe_run.hpp"
#include "test_paths.hpp"

namespace fs = std::filesystem;
using spe::test::run_spe_cli;
using spe::test::shell_quote;

namespace {

const char* kArch =
    " --scheme remi --pe sine --config small --layers 1 --d-model 32 --heads 2 --d-ff 64 --realizations 8 --sines 2"
    " --seq-len 32 --batch 2 --val-fraction 0.25 --threads 1 --seed 5";
const std::string kTiny = std::string(kArch) + " --lr 3e-3 --warmup 5 --val-every 4 --ckpt-every 3";

nlohmann::json meta_of(const fs::path& dir) { return nlohmann::json::parse(std::ifstream(dir / "model.json")); }
std::string weights_sha(const fs::path& dir) { return meta_of(dir)["weights"]["sha256"]; }

fs::path four_songs(const fs::path& root, const fs::path& pop) {
  const fs::path data = root / "data";
  fs::create_directories(data);
  for (const char* id : {"020", "021", "022", "023"})
    if (!fs::exists(data / (std::string(id) + ".mid")))
      fs::create_symlink(pop / "POP909" / id / (std::string(id) + ".mid"), data / (std::string(id) + ".mid"));
  return data;
}

std::size_t log_rows(const fs::path& out) {
  std::ifstream in(out / "training" / "log.csv");
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) n += line.empty() ? 0 : 1;
  return n > 0 ? n - 1 : 0;  // header
}

}  // namespace

TEST_CASE("spe train --init-from warm-starts exactly and refuses another architecture or vocabulary", "[integration]") {
  auto pop = spe::test::shared_data("pop909");
  if (!pop) return;
  const fs::path root = spe::test::scratch_dir("cli_warm_start");
  const fs::path data = four_songs(root, *pop), cache = root / "cache";
  const std::string common = " --data " + shell_quote(data) + kTiny + " --cache " + shell_quote(cache);

  const fs::path base = root / "base";
  auto first = run_spe_cli("train" + common + " --steps 6 --out " + shell_quote(base));
  INFO(first.output);
  REQUIRE(first.status == 0);

  // One step with learning rate ~0 from the base weights: validation loss before any change equals the
  // base's (the weights were loaded exactly), and the history records where they came from.
  const fs::path warm = root / "warm";
  const std::string data_args = " --data " + shell_quote(data) + kArch + " --cache " + shell_quote(cache);
  auto second = run_spe_cli("train" + data_args + " --steps 1 --warmup 1 --lr 1e-30 --min-lr 0 --val-every 1 --init-from " +
                            shell_quote(base) + " --out " + shell_quote(warm));
  INFO(second.output);
  REQUIRE(second.status == 0);
  CHECK(second.output.find("warm start") != std::string::npos);
  const auto w = meta_of(warm), b = meta_of(base);
  REQUIRE(w["training"]["history"].size() == 1);
  CHECK(w["training"]["history"][0]["weights_sha256"] == b["weights"]["sha256"]);
  CHECK(w["training"]["history"][0]["steps"] == 6);
  // Validation uses fixed noise seeds, so a model holding the base's weights (a 1e-30 step changes
  // nothing measurable) has the base's validation loss.
  CHECK(w["training"]["metrics"]["val_loss"].get<double>() ==
        Approx(b["training"]["metrics"]["val_loss"].get<double>()).epsilon(1e-6));

  // A warm-started run resumed after its first slice was exported over the folder it started from keeps
  // the history it began with (the exported slice's entry would count its steps twice).
  const fs::path sliced = root / "warm-sliced";
  const std::string slice = "train" + data_args + " --steps 2 --pause-after 1 --ckpt-every 1 --val-every 1 --resume" +
                            " --init-from " + shell_quote(base) + " --out " + shell_quote(sliced);
  auto slice1 = run_spe_cli(slice);
  INFO(slice1.output);
  REQUIRE(slice1.status == 0);
  const auto history_at_start = meta_of(sliced)["training"]["history"];
  auto exported = meta_of(base);
  exported["training"]["history"] = nlohmann::json::array({history_at_start[0], history_at_start[0]});
  std::ofstream(base / "model.json") << exported.dump(1);
  auto slice2 = run_spe_cli(slice);
  INFO(slice2.output);
  REQUIRE(slice2.status == 0);
  CHECK(meta_of(sliced)["training"]["steps"] == 2);
  CHECK(meta_of(sliced)["training"]["history"] == history_at_start);

  // Another width: refused with one line naming model.json and the field.
  auto wide = run_spe_cli("train" + std::string(" --data ") + shell_quote(data) +
                          " --scheme remi --pe sine --config small --layers 1 --d-model 48 --heads 2 --d-ff 64"
                          " --realizations 8 --sines 2 --seq-len 32 --batch 2 --steps 1 --threads 1 --cache " +
                          shell_quote(cache) + " --init-from " + shell_quote(base) + " --out " + shell_quote(root / "wide"));
  CHECK(wide.status == 2);
  CHECK(spe::test::last_nonempty_line(wide.output).find("model.json: cannot warm-start: architecture.d_model") !=
        std::string::npos);
  // Another vocabulary (the paper's 333 REMI tokens instead of the full 385).
  auto vocab = run_spe_cli("train" + common + " --remi-vocab paper --steps 1 --init-from " + shell_quote(base) +
                           " --out " + shell_quote(root / "vocab"));
  CHECK(vocab.status == 2);
  CHECK(spe::test::last_nonempty_line(vocab.output).find("cannot warm-start:") != std::string::npos);
}

TEST_CASE("a run paused by --pause-after or stopped by SIGTERM resumes bit-exactly", "[integration]") {
  auto pop = spe::test::shared_data("pop909");
  if (!pop) return;
  const fs::path root = spe::test::scratch_dir("cli_train_resume");
  const fs::path data = four_songs(root, *pop), cache = root / "cache";
  const std::string common = " --data " + shell_quote(data) + kTiny + " --cache " + shell_quote(cache) + " --steps 14";

  const fs::path whole = root / "whole";
  auto a = run_spe_cli("train" + common + " --out " + shell_quote(whole));
  INFO(a.output);
  REQUIRE(a.status == 0);

  const fs::path sliced = root / "sliced";
  for (int slice = 0; slice < 3; ++slice) {
    auto s = run_spe_cli("train" + common + " --pause-after 5 --resume --out " + shell_quote(sliced));
    INFO(s.output);
    REQUIRE(s.status == 0);
  }
  CHECK(meta_of(sliced)["training"]["steps"] == 14);
  CHECK(weights_sha(sliced) == weights_sha(whole));

  // SIGTERM mid-run: the job saves a checkpoint and exits; --resume finishes the same run.
  const fs::path stopped = root / "sigterm";
  fs::remove_all(stopped);
  const std::string command = spe::test::shell_quote(spe::test::spe_cli()) + " train" + common + " --out " +
                              shell_quote(stopped) + " > " + shell_quote(root / "sigterm.log") + " 2>&1";
  const int status =
      spe::test::signal_when(command, [&] { return log_rows(stopped) >= 4; }, std::chrono::minutes(3));
  CHECK(status == 130);
  const auto steps_at_stop = meta_of(stopped)["training"]["steps"].get<int>();
  CHECK(steps_at_stop < 14);
  auto resumed = run_spe_cli("train" + common + " --resume --out " + shell_quote(stopped));
  INFO(resumed.output);
  REQUIRE(resumed.status == 0);
  CHECK(resumed.output.find("resumed from step " + std::to_string(steps_at_stop)) != std::string::npos);
  CHECK(weights_sha(stopped) == weights_sha(whole));
}
