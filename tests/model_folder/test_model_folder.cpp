// model_folder::load, the one loader behind generate::Model, `spe eval` and `spe kernels --model`: a saved
// folder comes back with its own weights, config and tokenizer, and every defect is one line naming the file.
#include "random_model.hpp"  // first: see its note on glog's CHECK

#include <catch2/catch.hpp>

#include <torch/torch.h>

#include "model_folder/model_folder.hpp"
#include "test_paths.hpp"

using namespace spe;
namespace fs = std::filesystem;

namespace {

// Saves `lm` with `architecture` and `tokenizer` as model.json fields (either may be anything).
fs::path save_folder(const std::string& name, const model::PerformerLM& lm,
                     const nlohmann::json& architecture, const nlohmann::json& tokenizer) {
  const fs::path dir = test::scratch_dir("model-folder-" + name) / "model";
  io::CheckpointMeta meta;
  meta.name = name;
  meta.architecture = architecture;
  meta.tokenizer = tokenizer;
  io::save_checkpoint(dir, io::module_tensors(lm), meta);
  return dir;
}

std::string load_error(const fs::path& dir, const model_folder::LoadOptions& options = {}) {
  try {
    model_folder::load(dir, options);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

std::unique_ptr<tokens::Tokenizer> remi() {
  return tokens::make_tokenizer(nlohmann::json{{"scheme", "remi"}});
}

model::ModelConfig config_for(const tokens::Tokenizer& t) {
  return test::random_model_config({}, static_cast<int>(t.vocab().size()), static_cast<int>(t.pad()));
}

}  // namespace

TEST_CASE("model_folder::load gives back the saved weights, config, tokenizer and metadata") {
  test::RandomModelSpec spec;
  spec.scheme = "event";
  spec.pe = model::PositionalKind::conv_spe;
  spec.init_seed = 7;
  spec.name = "loader-event";
  const fs::path dir = test::make_random_model(test::scratch_dir("model-folder-ok") / "model", spec);

  const auto loaded = model_folder::load(dir);
  REQUIRE(loaded.model);
  REQUIRE(loaded.tokenizer);
  CHECK(loaded.tokenizer->to_json() ==
        tokens::make_tokenizer(nlohmann::json{{"scheme", "event"}})->to_json());
  CHECK(model::to_json(loaded.config) == model::to_json(loaded.model->config()));
  CHECK(loaded.config.pe == model::PositionalKind::conv_spe);
  CHECK(loaded.meta.name == "loader-event");
  CHECK(loaded.weights.sha256.size() == 64);
  CHECK_FALSE(loaded.model->is_training());

  // Every tensor equals the one saved (a model built with seed 0 would differ).
  const model::PerformerLM saved(loaded.config, spec.init_seed);
  const model::PerformerLM fresh(loaded.config, 0);
  const auto want = io::module_tensors(saved), got = io::module_tensors(*loaded.model),
             other = io::module_tensors(fresh);
  REQUIRE(got.size() == want.size());
  bool differs_from_fresh = false;
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO(want[i].first);
    CHECK(got[i].first == want[i].first);
    CHECK(torch::equal(got[i].second, want[i].second));
    differs_from_fresh = differs_from_fresh || !torch::equal(got[i].second, other[i].second);
  }
  CHECK(differs_from_fresh);
}

TEST_CASE("model_folder::load without a tokenizer accepts folders that have none") {
  const auto t = remi();
  const model::PerformerLM lm(config_for(*t), 3);
  const fs::path dir = save_folder("no-tokenizer", lm, model::to_json(lm.config()), nlohmann::json::object());

  const auto loaded = model_folder::load(dir, {.load_tokenizer = false});
  REQUIRE(loaded.model);
  CHECK(loaded.tokenizer == nullptr);
  CHECK(loaded.config.vocab_size == static_cast<int>(t->vocab().size()));

  const std::string error = load_error(dir);
  CHECK_THAT(error, Catch::StartsWith((dir / "model.json").string() + ": bad tokenizer: "));
  CHECK_THAT(error, Catch::Contains("scheme"));
}

TEST_CASE("model_folder::load refuses bad folders with one line naming the file and the problem") {
  const auto t = remi();
  const model::ModelConfig config = config_for(*t);
  const model::PerformerLM lm(config, 1);
  const std::string json_name = "model.json", weights_name = "model.safetensors";

  SECTION("missing folder") {
    CHECK_THAT(load_error(test::scratch_dir("model-folder-missing") / "nothing-here"),
               Catch::Contains("nothing-here"));
  }
  SECTION("architecture that is not a ModelConfig") {
    nlohmann::json architecture = model::to_json(config);
    architecture["pe"] = "rope";
    const fs::path dir = save_folder("bad-architecture", lm, architecture, t->to_json());
    const std::string error = load_error(dir);
    CHECK_THAT(error, Catch::StartsWith((dir / json_name).string() + ": bad architecture: "));
    CHECK_THAT(error, Catch::Contains("rope"));
  }
  SECTION("architecture that does not validate") {
    nlohmann::json architecture = model::to_json(config);
    architecture["n_heads"] = 3;  // d_model 32 is not a multiple of 3
    const fs::path dir = save_folder("invalid-architecture", lm, architecture, t->to_json());
    const std::string error = load_error(dir);
    CHECK_THAT(error, Catch::StartsWith((dir / json_name).string() + ": bad architecture: "));
    CHECK_THAT(error, Catch::Contains("divisible by n_heads"));
  }
  SECTION("unknown tokenizer scheme") {
    const fs::path dir = save_folder("bad-tokenizer", lm, model::to_json(config), {{"scheme", "abc"}});
    CHECK(load_error(dir) == (dir / json_name).string() +
                                 ": bad tokenizer: unknown tokenizer scheme 'abc' (expected remi or event)");
  }
  SECTION("vocabulary size that does not match the tokenizer") {
    model::ModelConfig wider = config;
    wider.vocab_size += 5;
    const model::PerformerLM wide(wider, 1);
    const fs::path dir = save_folder("vocab-mismatch", wide, model::to_json(wider), t->to_json());
    CHECK(load_error(dir) == (dir / json_name).string() + ": the model has " +
                                 std::to_string(wider.vocab_size) + " outputs but its tokenizer has " +
                                 std::to_string(t->vocab().size()) + " tokens");
    // Without the tokenizer the same folder loads.
    CHECK(model_folder::load(dir, {.load_tokenizer = false}).config.vocab_size == wider.vocab_size);
  }
  SECTION("weights of another architecture") {
    model::ModelConfig deeper = config;
    deeper.n_layers = 3;
    const fs::path dir = save_folder("weights-mismatch", lm, model::to_json(deeper), t->to_json());
    const std::string error = load_error(dir);
    CHECK_THAT(error,
               Catch::StartsWith((dir / weights_name).string() + ": checkpoint does not match the model: "));
    CHECK_THAT(error, Catch::Contains("missing"));
  }
}
