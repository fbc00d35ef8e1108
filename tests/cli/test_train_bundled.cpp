// packaging/train-bundled.sh, the background trainer, on two tiny "bundled" models: every round brings
// each run to the same step (a run left behind catches up), a SIGTERM of the trainer resumes bit-exactly,
// and --export moves the REMI variants only together, at equal steps, with their whole log, as F16.

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

#include "spe_run.hpp"
#include "test_paths.hpp"

namespace fs = std::filesystem;
using spe::test::shell_quote;

namespace {

const char* kArch = "--layers 1 --d-model 32 --heads 2 --d-ff 64 --realizations 8 --kernel 16";
const char* kOpt = "--seq-len 32 --batch 2 --val-fraction 0.25 --lr 3e-3 --warmup 2 --seed 5 --val-every 4 --ckpt-every 2";
constexpr int kTotalSteps = 12;

nlohmann::json meta_of(const fs::path& dir) { return nlohmann::json::parse(std::ifstream(dir / "model.json")); }
int steps_of(const fs::path& dir) { return meta_of(dir)["training"]["steps"].get<int>(); }

std::size_t csv_rows(const fs::path& file) {
  std::ifstream in(file);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) n += line.empty() ? 0 : 1;
  return n > 0 ? n - 1 : 0;  // header
}

struct Scene {
  fs::path root, data, committed;
  std::string spe_args_remi;  // what the trainer passes for a REMI model, less the PE and the output
};

// POP909 songs 020-023 in the layout the trainer expects, an empty groove folder (not trained here), and
// two committed tiny models of 4 steps: the weights every run warm-starts from.
Scene make_scene(const std::string& name, const fs::path& pop) {
  Scene s;
  s.root = spe::test::scratch_dir(name);
  s.data = s.root / "data";
  fs::create_directories(s.data / "pop909" / "POP909");
  fs::create_directories(s.data / "groove_mma" / "train");
  for (const char* id : {"020", "021", "022", "023"})
    fs::create_directory_symlink(pop / "POP909" / id, s.data / "pop909" / "POP909" / id);
  s.committed = s.root / "committed";
  s.spe_args_remi = " --data " + shell_quote(s.data / "pop909" / "POP909") + " --scheme remi --remi-vocab full " + kArch +
                    " " + kOpt + " --threads 1 --cache " + shell_quote(s.root / "cache");
  for (const auto& [model, pe] : {std::pair{"pop-sine", "--pe sine --sines 5"}, std::pair{"pop-ape", "--pe ape"}}) {
    auto base = spe::test::run_spe_cli("train" + s.spe_args_remi + " " + pe + " --steps 4 --out " +
                                       shell_quote(s.committed / model));
    INFO(base.output);
    REQUIRE(base.status == 0);
  }
  return s;
}

// The trainer's command line for this scene (the system python3: the export needs numpy).
std::string trainer(const Scene& s, const fs::path& runs, const std::string& args) {
  return "env PATH=/usr/bin:$PATH SPE=" + shell_quote(spe::test::spe_cli()) + " SPE_DATA=" + shell_quote(s.data) +
         " SPE_RUNS=" + shell_quote(runs) + " SPE_MODELS_DIR=" + shell_quote(s.committed) +
         " SPE_TOTAL_STEPS=" + std::to_string(kTotalSteps) + " SPE_TRAIN_ARCH=" + shell_quote(std::string(kArch)) +
         " SPE_TRAIN_OPT=" + shell_quote(std::string(kOpt)) + " TMPDIR=" + shell_quote(s.root) + " XDG_CACHE_HOME=" + shell_quote(s.root / "xdg") + " bash " +
         shell_quote(spe::test::source_dir() / "packaging" / "train-bundled.sh") + " --f32 --slice 4 " + args;
}

spe::test::ProgramRun run_trainer(const Scene& s, const fs::path& runs, const std::string& args) {
  return spe::test::run_command(trainer(s, runs, args) + " 2>&1");
}

}  // namespace

TEST_CASE("train-bundled.sh: equal rounds, catch-up, SIGTERM resume and the REMI group export", "[integration]") {
  auto pop = spe::test::shared_data("pop909");
  if (!pop) return;
  if (spe::test::run_command("/usr/bin/python3 -c 'import numpy' 2>&1").status != 0) {
    WARN("SKIPPED: /usr/bin/python3 without numpy (the export's requantize_model.py needs it)");
    return;
  }
  const Scene s = make_scene("train_bundled", *pop);
  const fs::path runs = s.root / "runs";

  // One variant alone: the group is at unequal steps, so nothing moves.
  auto alone = run_trainer(s, runs, "--models pop-sine");
  INFO(alone.output);
  REQUIRE(alone.status == 0);
  CHECK(steps_of(runs / "pop-sine") == kTotalSteps);
  CHECK(fs::exists(runs / "pop-sine" / "base-log.csv"));
  auto refused = run_trainer(s, runs, "--models 'pop-sine pop-ape' --export");
  INFO(refused.output);
  REQUIRE(refused.status == 0);
  CHECK(refused.output.find("REMI variants: runs at unequal steps (pop-sine 12 pop-ape 0): none exported") !=
        std::string::npos);
  CHECK(steps_of(s.committed / "pop-sine") == 4);

  // Both: pop-ape catches up in one round; pop-sine, complete, is left alone.
  auto both = run_trainer(s, runs, "--models 'pop-sine pop-ape'");
  INFO(both.output);
  REQUIRE(both.status == 0);
  CHECK(steps_of(runs / "pop-ape") == kTotalSteps);
  CHECK(csv_rows(runs / "pop-sine" / "training" / "log.csv") == kTotalSteps);
  CHECK(!fs::exists(runs / "trainer.pid"));  // written while it runs, removed when it ends

  // SIGTERM of the trainer in its first slice: the running job checkpoints, the trainer exits 0, and the
  // same command finishes both runs with the bits of the uninterrupted ones.
  const fs::path stopped = s.root / "runs-sigterm";
  const std::string command = trainer(s, stopped, "--models 'pop-sine pop-ape'") + " > " +
                              shell_quote(s.root / "sigterm.log") + " 2>&1";
  const int status = spe::test::signal_when(
      command, [&] { return csv_rows(stopped / "pop-sine" / "training" / "log.csv") >= 1; },
      std::chrono::minutes(3));
  CHECK(status == 0);
  REQUIRE(fs::exists(stopped / "pop-sine" / "model.json"));
  CHECK(steps_of(stopped / "pop-sine") < kTotalSteps);
  auto resumed = run_trainer(s, stopped, "--models 'pop-sine pop-ape'");
  INFO(resumed.output);
  REQUIRE(resumed.status == 0);
  for (const char* m : {"pop-sine", "pop-ape"})
    CHECK(meta_of(stopped / m)["weights"]["sha256"] == meta_of(runs / m)["weights"]["sha256"]);

  // Equal steps and a clear improvement (4 -> up to 12 steps of a tiny model): both variants exported.
  const auto base_rows = csv_rows(s.committed / "pop-sine" / "training" / "log.csv");
  auto exported = run_trainer(s, runs, "--models 'pop-sine pop-ape' --export");
  INFO(exported.output);
  REQUIRE(exported.status == 0);
  for (const char* m : {"pop-sine", "pop-ape"}) {
    const auto best = meta_of(runs / m / "training" / "best"), now = meta_of(s.committed / m);
    CHECK(exported.output.find(std::string(m) + ": exported as F16") != std::string::npos);
    CHECK(now["weights"]["dtype"] == "F16");
    CHECK(now["training"]["steps"] == best["training"]["steps"]);
    CHECK(now["training"]["metrics"]["best_val_loss"].get<double>() ==
          Approx(best["training"]["metrics"]["best_val_loss"].get<double>()));
    // The whole history: the 4 committed steps, then the run's up to its best checkpoint.
    CHECK(csv_rows(s.committed / m / "training" / "log.csv") == base_rows + best["training"]["steps"].get<std::size_t>());
    CHECK(!fs::exists(s.committed / ("." + std::string(m) + ".new")));
    CHECK(!fs::exists(s.committed / (std::string(m) + ".old")));
  }
  CHECK(meta_of(s.committed / "pop-sine").value("default", false));
  auto take = spe::test::run_spe_cli("generate --model " + shell_quote(s.committed / "pop-sine") +
                                     " --tokens 16 --seed 1 -o " + shell_quote(s.root / "take.mid"));
  INFO(take.output);
  CHECK(take.status == 0);

  // Exporting again changes nothing: the committed weights are now the runs' best.
  auto again = run_trainer(s, runs, "--models 'pop-sine pop-ape' --export");
  INFO(again.output);
  CHECK(again.output.find("REMI variants: no run improves validation by >= 0.02 nats at step 12") != std::string::npos);
}
