// The paper's checkpoints in the engine: state dicts with the reference code's key names and shapes are
// built in Python (tests/io/make_reference_state_dict.py), converted by packaging/tools/convert_reference.py,
// and must then load into PerformerLM with nothing missing, unexpected or mismatched, compute exactly the
// logits of a PerformerLM filled with the same values by another route, and generate with `spe generate`.
#include "torch_catch.hpp"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "generate/model.hpp"
#include "io/checkpoint.hpp"
#include "io/module_loading.hpp"
#include "model/config.hpp"
#include "model/noise_context.hpp"
#include "model/performer.hpp"
#include "spe_run.hpp"
#include "test_paths.hpp"
#include "tokens/tokenizer.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace spe;

namespace {

const char* kPython = "/usr/bin/python3";  // Debian's interpreter, where python3-torch installs

bool python_torch_available() {
  const std::string command = std::string(kPython) + " -c 'import torch' >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

// Built by appending: GCC 12 warns (-Wrestrict, a false positive) on "'" + std::string.
std::string quoted(const fs::path& path) {
  std::string text = "'";
  text += path.string();
  text += "'";
  return text;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

json read_json(const fs::path& path) { return json::parse(read_text(path)); }

fs::path paper_tokenizers_file() { return test::source_dir() / "packaging" / "tools" / "paper_tokenizers.json"; }

// The keys of an object and, recursively, of its object members ("spe.gated", ...).
std::set<std::string> key_paths(const json& object, const std::string& prefix = "") {
  std::set<std::string> paths;
  for (const auto& [key, value] : object.items()) {
    paths.insert(prefix + key);
    if (value.is_object())
      for (const auto& inner : key_paths(value, prefix + key + ".")) paths.insert(inner);
  }
  return paths;
}

// Fills every parameter and buffer of `model` from the fixture's raw float32 copy of the state dict
// (written by Python's numpy, read here without safetensors or the converter).
void fill_from_raw(model::PerformerLM& model, const json& expected, const fs::path& raw_path) {
  std::ifstream in(raw_path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(bytes.size() % sizeof(float) == 0);
  std::vector<float> values(bytes.size() / sizeof(float));
  std::memcpy(values.data(), bytes.data(), bytes.size());
  torch::NoGradGuard no_grad;
  for (const auto& [name, tensor] : io::module_tensors(model)) {
    INFO(name);
    REQUIRE(expected.contains(name));
    const auto offset = expected[name]["offset"].get<std::size_t>();
    const auto count = static_cast<std::size_t>(tensor.numel());
    REQUIRE(offset + count <= values.size());
    const auto source = torch::from_blob(values.data() + offset, tensor.sizes(), torch::kFloat32);
    tensor.copy_(source);
  }
}

struct Variant {
  std::string name;
  std::string fixture_args;
  std::string converter_args;
  std::string scheme;
  std::string pe;
  bool gated;
};

}  // namespace

TEST_CASE("paper_tokenizers.json is the tokenizers' own to_json for the paper vocabularies") {
  const json file = read_json(paper_tokenizers_file());
  const auto remi = tokens::make_tokenizer(json{{"scheme", "remi"}, {"vocab", "paper"}});
  const auto event = tokens::make_tokenizer(json{{"scheme", "event"}, {"paper_time_shifts", true}});
  CHECK(remi->vocab().size() == 333);
  CHECK(event->vocab().size() == 794);
  // Compared as text so a failure shows where they differ.
  CHECK(file.at("remi").dump() == remi->to_json().dump());
  CHECK(file.at("event").dump() == event->to_json().dump());
  CHECK(file.size() == 2);
}

TEST_CASE("converted reference state dicts load into PerformerLM, match its logits and generate", "[integration]") {
  if (!python_torch_available()) {
    WARN("SKIPPED: python3-torch is not installed (apt-get install python3-torch)");
    return;
  }
  // Head dim 64 = R, as in the paper's models: SineSPE's (H, head dim, K) tensors are then unambiguous.
  const std::vector<Variant> variants = {
      {"gated SineSPE REMI", "--pe sine --d-model 128 --heads 2", "", "remi", "sine", true},
      {"ungated SineSPE REMI", "--pe sine --ungated --d-model 128 --heads 2", "", "remi", "sine", false},
      {"gated ConvSPE REMI", "--pe conv --d-model 128 --heads 2", "", "remi", "conv", true},
      {"APE REMI", "--pe ape --d-model 128 --heads 2", "--heads 2", "remi", "ape", false},
      {"gated SineSPE event", "--pe sine --vocab 794 --d-model 64 --heads 1", "", "event", "sine", true},
      {"ungated ConvSPE event", "--pe conv --ungated --vocab 794 --d-model 64 --heads 1", "--heads 1", "event",
       "conv", false},
      {"APE event", "--pe ape --vocab 794 --d-model 64 --heads 1", "--heads 1", "event", "ape", false},
  };
  // A folder written by `spe train` (the bundled default model): the structure a converted folder must have.
  const json trained = read_json(test::source_dir() / "resources" / "models" / "pop-sine" / "model.json");

  for (const auto& variant : variants) {
    DYNAMIC_SECTION(variant.name) {
      const fs::path root = test::scratch_dir("generate_converted_reference");
      const fs::path dir = root / "model";
      const auto made = test::run_command(
          std::string(kPython) + " " +
          quoted(test::source_dir() / "tests" / "io" / "make_reference_state_dict.py") + " " +
          quoted(root / "reference.pt") + " " + quoted(root / "expected.json") + " --raw " +
          quoted(root / "reference.f32") + " " + variant.fixture_args + " 2>&1");
      INFO(made.output);
      REQUIRE(made.status == 0);
      const auto converted = test::run_command(
          std::string(kPython) + " " +
          quoted(test::source_dir() / "packaging" / "tools" / "convert_reference.py") + " " +
          quoted(root / "reference.pt") + " " + quoted(dir) + " " + variant.converter_args + " 2>&1");
      INFO(converted.output);
      REQUIRE(converted.status == 0);
      const json expected = read_json(root / "expected.json");

      // model.json has the structure of a trained folder, and each part is what our own code writes.
      const auto checkpoint = io::load_checkpoint(dir);
      const json written = read_json(dir / "model.json");
      for (const auto& key : {"format", "format_version", "name", "description", "architecture",
                              "positional_encoding", "tokenizer", "training", "provenance", "license", "weights"}) {
        INFO(key);
        CHECK(trained.contains(key));
        CHECK(written.contains(key));
      }
      CHECK(key_paths(checkpoint.meta.architecture) == key_paths(trained["architecture"]));
      const auto config = model::model_config_from_json(checkpoint.meta.architecture);
      CHECK(model::to_json(config) == checkpoint.meta.architecture);
      CHECK(tokens::make_tokenizer(checkpoint.meta.tokenizer)->to_json() == checkpoint.meta.tokenizer);
      CHECK(checkpoint.meta.tokenizer == read_json(paper_tokenizers_file())[variant.scheme]);
      CHECK(config.pe == model::positional_kind_from_string(variant.pe));
      if (config.uses_spe()) {
        CHECK(config.spe.gated == variant.gated);
        CHECK(config.query_dim() == config.head_dim());  // R = head dim = 64
      }

      // The engine's loader accepts it.
      const auto engine_model = generate::Model::load(dir);
      CHECK(engine_model->info().scheme == variant.scheme);
      CHECK(engine_model->layers() == 2);
      CHECK(engine_model->heads() == config.n_heads);

      // Every tensor of PerformerLM comes from the file: nothing missing, unexpected or mismatched.
      auto from_folder = std::make_shared<model::PerformerLM>(config);
      const auto report = io::load_into_module(*from_folder, checkpoint.tensors, {.allow_missing = true,
                                                                                .allow_unexpected = true,
                                                                                .allow_shape_mismatch = true});
      INFO(report.summary());
      CHECK(report.complete());
      CHECK(report.loaded.size() == expected.size());

      // Same logits as a PerformerLM filled from the fixture's independent raw copy.
      auto from_raw = std::make_shared<model::PerformerLM>(config);
      fill_from_raw(*from_raw, expected, root / "reference.f32");
      from_folder->eval();
      from_raw->eval();
      const std::int64_t vocab = config.vocab_size;
      const auto tokens = (torch::arange(48, torch::kLong) * 37 + 5).remainder(vocab).unsqueeze(0);
      torch::NoGradGuard no_grad;
      const auto logits_folder = from_folder->forward(tokens, model::NoiseContext(11, 12));
      const auto logits_raw = from_raw->forward(tokens, model::NoiseContext(11, 12));
      REQUIRE(logits_folder.sizes() == torch::IntArrayRef({1, 48, vocab}));
      CHECK(torch::isfinite(logits_folder).all().item<bool>());
      CHECK(torch::equal(logits_folder, logits_raw));
      // The weights matter: a freshly initialised model gives other logits (so the equality above can fail).
      model::PerformerLM fresh(config);
      fresh.eval();
      CHECK_FALSE(torch::allclose(fresh.forward(tokens, model::NoiseContext(11, 12)), logits_folder));

      // And the CLI generates with it.
      const fs::path midi = root / "take.mid";
      const auto generated = test::run_spe_cli("generate --model " + quoted(dir) +
                                               " --tokens 64 --seed 7 --threads 1 -o " + quoted(midi));
      INFO(generated.output);
      CHECK(generated.status == 0);
      CHECK(fs::exists(midi));
      if (fs::exists(midi)) CHECK(fs::file_size(midi) > 14);  // more than the MIDI header chunk
    }
  }
}
