// `spe generate` and `spe models` end to end, on random-weight model folders written with the io API.
#include "random_model.hpp"  // first: see its note on glog's CHECK

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <sstream>

#include "generate/take.hpp"
#include "music/score_midi.hpp"
#include "spe_run.hpp"
#include "test_paths.hpp"
#include "midi/midi_files.hpp"

namespace fs = std::filesystem;
using namespace spe;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

using test::ProgramRun;

// Runs `spe <args>` with the given environment prefix (e.g. "XDG_DATA_HOME=/x"), stdout and stderr apart
// (the tests check what goes to which).
ProgramRun spe_run(const std::string& args, const std::string& env = "") {
  return test::run_spe_cli(args, {.env = env, .separate_stderr = true});
}

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// A user model folder layout under `xdg` holding two random models; returns their folders.
std::pair<fs::path, fs::path> make_user_models(const fs::path& xdg) {
  const fs::path root = xdg / "spe-studio" / "models";
  test::RandomModelSpec remi;
  remi.name = "rand-remi";
  const fs::path a = test::make_random_model(root / "rand-remi", remi);
  test::RandomModelSpec event;
  event.scheme = "event";
  event.pe = model::PositionalKind::conv_spe;
  event.gated = false;
  event.name = "rand-event";
  const fs::path b = test::make_random_model(root / "rand-event", event);
  return {a, b};
}

std::string env_for(const fs::path& xdg) { return "XDG_DATA_HOME=" + q(xdg); }

}  // namespace

TEST_CASE("spe models --json lists user models with their scheme, PE, gating and training length",
          "[integration]") {
  const fs::path xdg = test::scratch_dir("cli-models");
  const auto [remi_dir, event_dir] = make_user_models(xdg);
  const ProgramRun r = spe_run("models --json", env_for(xdg));
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.output);
  REQUIRE(j.is_array());
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& m : j)
    if (m["source"] == "user") by_name[m["name"]] = m;
  REQUIRE(by_name.size() == 2);
  CHECK(by_name["rand-remi"]["scheme"] == "remi");
  CHECK(by_name["rand-remi"]["pe"] == "sine");
  CHECK(by_name["rand-remi"]["gated"] == true);
  CHECK(by_name["rand-remi"]["train_len"] == 64);
  CHECK(fs::equivalent(by_name["rand-remi"]["path"].get<std::string>(), remi_dir));
  CHECK(by_name["rand-event"]["scheme"] == "event");
  CHECK(by_name["rand-event"]["pe"] == "conv");
  CHECK(by_name["rand-event"]["gated"] == false);
  const ProgramRun text = spe_run("models", env_for(xdg));
  CHECK(text.status == 0);
  CHECK_THAT(text.output, Catch::Contains("rand-event") && Catch::Contains("conv"));
}

TEST_CASE("spe generate: from scratch, reproducible by seed, recipe inside, candidates", "[integration]") {
  const fs::path xdg = test::scratch_dir("cli-generate");
  const auto [remi_dir, event_dir] = make_user_models(xdg);
  const fs::path out = xdg / "out";
  fs::create_directories(out);
  const std::string env = env_for(xdg);

  const ProgramRun a = spe_run("generate --model rand-remi --tokens 80 --seed 5 -o " + q(out / "a.mid"), env);
  INFO(a.error);
  REQUIRE(a.status == 0);
  CHECK_THAT(a.output, Catch::Contains("wrote"));
  const ProgramRun b =
      spe_run("generate --model " + q(remi_dir) + " --tokens 80 --seed 5 -o " + q(out / "b.mid"), env);
  REQUIRE(b.status == 0);
  const ProgramRun c = spe_run("generate --model rand-remi --tokens 80 --seed 6 -o " + q(out / "c.mid"), env);
  REQUIRE(c.status == 0);
  CHECK(slurp(out / "a.mid") == slurp(out / "b.mid"));  // bit-identical, recipe included
  CHECK(slurp(out / "a.mid") != slurp(out / "c.mid"));
  const auto recipe = generate::read_recipe(out / "a.mid");
  CHECK(recipe["seed"] == 5);
  CHECK(recipe["model"]["name"] == "rand-remi");
  CHECK(recipe["params"]["temperature"].get<double>() == Approx(1.1));  // REMI default (docs/results/take-stats.md)
  CHECK(recipe["params"]["top_p"].get<double>() == Approx(0.8));
  CHECK(music::read_score(out / "a.mid").note_count() > 0);

  const ProgramRun many = spe_run(
      "generate --model rand-event --tokens 60 --seed 9 --candidates 3 -o " + q(out / "take.mid"), env);
  INFO(many.error);
  REQUIRE(many.status == 0);
  for (int i = 1; i <= 3; ++i) CHECK(fs::exists(out / ("take-" + std::to_string(i) + ".mid")));
  CHECK(!fs::exists(out / "take.mid"));
  // Take 2 alone (its random stream is candidate 1) reproduces the batched take 2.
  const ProgramRun alone = spe_run(
      "generate --model rand-event --tokens 60 --seed 9 --first-candidate 1 -o " + q(out / "alone.mid"), env);
  REQUIRE(alone.status == 0);
  const auto s2 = music::read_score(out / "take-2.mid"), s_alone = music::read_score(out / "alone.mid");
  REQUIRE(s2.tracks.size() == s_alone.tracks.size());
  for (std::size_t t = 0; t < s2.tracks.size(); ++t) {
    REQUIRE(s2.tracks[t].notes.size() == s_alone.tracks[t].notes.size());
    for (std::size_t n = 0; n < s2.tracks[t].notes.size(); ++n) {
      CHECK(s2.tracks[t].notes[n].start == s_alone.tracks[t].notes[n].start);
      CHECK(s2.tracks[t].notes[n].pitch == s_alone.tracks[t].notes[n].pitch);
    }
  }
  CHECK(generate::read_recipe(out / "alone.mid")["candidate"] == 1);
}

TEST_CASE("spe generate: prompt bars, lengths in bars and seconds, sidecar and JSON summary", "[integration]") {
  const fs::path xdg = test::scratch_dir("cli-generate-prompt");
  const auto [remi_dir, event_dir] = make_user_models(xdg);
  const std::string env = env_for(xdg);
  if (auto corpus = test::shared_data("pop909")) {
    const auto files = spe::midi::list_midi_files(*corpus);
    REQUIRE(!files.empty());
    const fs::path out = xdg / "cont.mid";
    const ProgramRun r = spe_run("generate --model rand-remi --prompt " + q(files[1]) +
                                     " --prompt-bars 2 --bars 3 --seed 1 -o " + q(out),
                                 env);
    INFO(r.error);
    REQUIRE(r.status == 0);
    const auto score = music::read_score(out);
    const auto prompt = generate::prompt_from_midi(*tokens::make_tokenizer({{"scheme", "remi"}}), files[1], 2);
    CHECK(generate::read_recipe(out)["prompt"]["bars"] == 2);
    CHECK(generate::read_recipe(out)["prompt"]["tokens"] == prompt.tokens.size());
    // 2 prompt bars + 3 generated bars: nothing starts after bar 5 (the clean ending adds no notes).
    for (const auto& t : score.tracks)
      for (const auto& n : t.notes) CHECK(n.start < 5 * 4 * score.ticks_per_beat);
  }
  const fs::path out = xdg / "groove.mid";
  const ProgramRun r =
      spe_run("generate --model rand-event --seconds 4 --seed 3 --sidecar --json -o " + q(out), env);
  INFO(r.error);
  REQUIRE(r.status == 0);
  const auto summary = nlohmann::json::parse(r.output);
  CHECK(summary["seed"] == 3);
  REQUIRE(summary["takes"].size() == 1);
  CHECK(summary["takes"][0]["decode_report"].empty());
  CHECK(summary["takes"][0]["invalid_tokens"] == 0);
  const auto sidecar = nlohmann::json::parse(slurp(xdg / "groove.json"));
  CHECK(sidecar["entropy"].size() == summary["takes"][0]["tokens"].get<std::size_t>());
  CHECK(sidecar["recipe"]["params"]["length_unit"] == "seconds");
  // 4 s at 120 BPM = 2 bars of 48 ticks; the take reached them.
  const auto bars = tokens::make_tokenizer({{"scheme", "event"}})
                        ->bar_of_each_token(sidecar["tokens"].get<std::vector<tokens::TokenId>>());
  CHECK(*std::max_element(bars.begin(), bars.end()) >= 2);
}

TEST_CASE("spe generate --no-grammar never crashes: invalid tokens are reported and skipped", "[integration]") {
  const fs::path xdg = test::scratch_dir("cli-generate-nogrammar");
  make_user_models(xdg);
  const ProgramRun r =
      spe_run("generate --model rand-event --tokens 200 --seed 2 --no-grammar -o " + q(xdg / "free.mid"),
              env_for(xdg));
  REQUIRE(r.status == 0);
  CHECK_THAT(r.error, Catch::Contains("not allowed by the grammar were skipped"));
  CHECK(fs::exists(xdg / "free.mid"));
}

TEST_CASE("spe generate: missing model, bad prompt and impossible options exit 2 with one clear line",
          "[integration]") {
  const fs::path xdg = test::scratch_dir("cli-generate-errors");
  const std::string env = env_for(xdg);
  const fs::path out = xdg / "x.mid";
  auto expect_usage_error = [&](const std::string& args, const std::string& needle) {
    const ProgramRun r = spe_run(args, env);
    INFO(args << "\n" << r.error);
    CHECK(r.status == 2);
    CHECK_THAT(r.error, Catch::Contains(needle));
    CHECK(!fs::exists(out));
  };
  {  // Without --model the bundled default (resources/models, "default": true) generates; the registry's
     // "no default model" error is covered by test_model_registry with empty roots.
    const ProgramRun r = spe_run("generate --tokens 10 --seed 1 -o " + q(out), env);
    INFO(r.error);
    CHECK(r.status == 0);
    CHECK(fs::exists(out));
    fs::remove(out);
  }
  expect_usage_error("generate --model no-such-model --tokens 10 -o " + q(out), "no model named 'no-such-model'");
  expect_usage_error("generate --model " + q(xdg) + " --tokens 10 -o " + q(out), "is not a model folder");
  const auto [remi_dir, event_dir] = make_user_models(xdg);
  const fs::path junk = xdg / "junk.mid";
  std::ofstream(junk) << "MThd nonsense";
  expect_usage_error("generate --model rand-remi --prompt " + q(junk) + " --tokens 10 -o " + q(out), "junk.mid");
  expect_usage_error("generate --model rand-remi --tokens 10 --bars 2 -o " + q(out), "exactly one length");
  expect_usage_error("generate --model rand-remi -o " + q(out), "exactly one length");
  expect_usage_error("generate --model rand-remi --tokens 10 --top-p 1.5 -o " + q(out), "--top-p");
  expect_usage_error("generate --model rand-remi --tokens 10 --temperature -1 -o " + q(out), "--temperature");
  expect_usage_error("generate --model rand-remi --tokens 10 --candidates 0 -o " + q(out), "--candidates");
  expect_usage_error("generate --model rand-remi --tokens 10 --prompt-bars 2 -o " + q(out), "--prompt-bars");
  expect_usage_error("generate --model rand-remi --tokens 10 --device tpu -o " + q(out), "device");
  expect_usage_error("generate --model rand-remi --tokens 10 -o " + q(xdg / "missing-dir" / "x.mid"),
                     "does not exist");
  // Every message is one line prefixed by "spe: ".
  const ProgramRun r = spe_run("generate --model no-such-model --tokens 10 -o " + q(out), env);
  CHECK(r.error.rfind("spe: ", 0) == 0);
  CHECK(std::count(r.error.begin(), r.error.end(), '\n') == 1);
}

TEST_CASE("spe generate records the step's weights in the recipe and --recipe replays with them", "[integration]") {
  // The bundled default model steps with BF16 weights on a CPU with AVX-512 BF16 (model::bf16_step_pays_off),
  // with F32 ones elsewhere; SPE_STEP_IMPL=plan forces F32. Each take's recipe says which, and a replay
  // uses that, whatever this CPU would pick: the F32 take replays note for note without the override.
  const fs::path out = test::scratch_dir("cli-step-weights");
  const std::string take = " --prompt " + q(test::source_dir() / "resources/prompts/pop909_001.mid") +
                           " --prompt-bars 2 --tokens 300 --seed 4 --threads 1 -o ";
  const ProgramRun automatic = spe_run("generate" + take + q(out / "auto.mid"));
  INFO(automatic.error);
  REQUIRE(automatic.status == 0);
  const ProgramRun f32 = spe_run("generate" + take + q(out / "f32.mid"), "SPE_STEP_IMPL=plan");
  REQUIRE(f32.status == 0);
  const std::string chosen = generate::read_recipe(out / "auto.mid").value("step_weights", "");
  CHECK((chosen == "bf16" || chosen == "f32"));
  CHECK(generate::read_recipe(out / "f32.mid")["step_weights"] == "f32");

  for (const char* name : {"auto", "f32"}) {
    const ProgramRun replay = spe_run("generate --threads 1 --recipe " + q(out / (std::string(name) + ".mid")) + " -o " +
                                      q(out / (std::string(name) + "-again.mid")));
    INFO(name << ": " << replay.error);
    REQUIRE(replay.status == 0);
    const auto a = music::read_score(out / (std::string(name) + ".mid"));
    const auto b = music::read_score(out / (std::string(name) + "-again.mid"));
    REQUIRE(a.note_count() == b.note_count());
    for (std::size_t t = 0; t < a.tracks.size(); ++t)
      for (std::size_t n = 0; n < a.tracks[t].notes.size(); ++n) {
        CHECK(a.tracks[t].notes[n].start == b.tracks[t].notes[n].start);
        CHECK(a.tracks[t].notes[n].pitch == b.tracks[t].notes[n].pitch);
      }
    CHECK(generate::read_recipe(out / (std::string(name) + "-again.mid"))["step_weights"] ==
          generate::read_recipe(out / (std::string(name) + ".mid"))["step_weights"]);
  }
}
