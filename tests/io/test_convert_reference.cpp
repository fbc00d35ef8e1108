// packaging/tools/convert_reference.py end to end: a state dict with the paper code's key names and shapes
// is built in Python (tests/io/make_reference_state_dict.py), converted, and read back with the C++ loader.
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include "aten_catch.hpp"

#include "io/checkpoint.hpp"
#include "spe_run.hpp"
#include "test_paths.hpp"

namespace fs = std::filesystem;
using namespace spe::io;
using nlohmann::json;

namespace {

const char* kPython = "/usr/bin/python3";  // Debian's interpreter, where python3-torch installs

bool python_torch_available() {
  const std::string command = std::string(kPython) + " -c 'import torch' >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

// Runs `command` with stdout and stderr captured.
spe::test::ProgramRun run(const std::string& command) {
  return spe::test::run_command(command + " 2>&1");
}

std::string quoted(const fs::path& path) {
  std::string text = "'";
  text += path.string();
  text += "'";
  return text;
}

fs::path fixture_script() { return spe::test::source_dir() / "tests" / "io" / "make_reference_state_dict.py"; }
fs::path converter() { return spe::test::source_dir() / "packaging" / "tools" / "convert_reference.py"; }

// Builds the reference state dict, converts it, returns the expected tensor description.
json make_and_convert(const fs::path& dir, const std::string& fixture_args, const std::string& converter_args) {
  const auto pt = dir / "reference.pt";
  const auto expected = dir / "expected.json";
  const auto made = run(std::string(kPython) + " " + quoted(fixture_script()) + " " + quoted(pt) + " " +
                        quoted(expected) + " " + fixture_args);
  INFO(made.output);
  REQUIRE(made.status == 0);
  const auto converted = run(std::string(kPython) + " " + quoted(converter()) + " " + quoted(pt) + " " +
                             quoted(dir / "model") + " " + converter_args);
  INFO(converted.output);
  REQUIRE(converted.status == 0);
  std::ifstream in(expected);
  return json::parse(in);
}

double from_hex(const json& value) { return std::strtod(value.get<std::string>().c_str(), nullptr); }

// Names, shapes and values of the loaded tensors against the fixture's description.
void check_tensors(const Checkpoint& checkpoint, const json& expected) {
  std::set<std::string> loaded_names;
  for (const auto& [name, tensor] : checkpoint.tensors) {
    INFO(name);
    loaded_names.insert(name);
    REQUIRE(expected.contains(name));
    const auto shape = expected[name]["shape"].get<std::vector<std::int64_t>>();  // the reference's own layout
    CHECK(tensor.sizes().vec() == shape);
    const auto flat = tensor.reshape(-1).to(at::kDouble);
    CHECK(flat[0].item<double>() == from_hex(expected[name]["first"]));
    CHECK(flat[-1].item<double>() == from_hex(expected[name]["last"]));
    const double abs_sum = from_hex(expected[name]["abs_sum"]);
    CHECK(flat.sum().item<double>() == Approx(from_hex(expected[name]["sum"])).margin(1e-9 * (1 + abs_sum)));
  }
  std::set<std::string> expected_names;
  for (const auto& [name, value] : expected.items()) expected_names.insert(name);
  CHECK(loaded_names == expected_names);
}

}  // namespace

TEST_CASE("convert_reference.py converts the paper's state dicts into loadable model folders", "[integration]") {
  if (!python_torch_available()) {
    WARN("SKIPPED: python3-torch is not installed (apt-get install python3-torch)");
    return;
  }
  const auto root = spe::test::scratch_dir("io_convert_reference");

  SECTION("gated SineSPE, pop-piano REMI vocabulary, newer-fast-transformers omega keys dropped") {
    const json expected = make_and_convert(root, "--pe sine --omega", "--name pop-sine --license CC-BY-4.0");
    const auto checkpoint = load_checkpoint(root / "model");
    check_tensors(checkpoint, expected);
    CHECK(checkpoint.tensors.size() == 1 + 3 + 2 + 2 * 16 + 2);
    const auto& meta = checkpoint.meta;
    CHECK(meta.name == "pop-sine");
    CHECK(meta.license == "CC-BY-4.0");
    CHECK(meta.architecture["n_layers"] == 2);
    CHECK(meta.architecture["d_model"] == 32);
    CHECK(meta.architecture["n_heads"] == 4);
    CHECK(meta.architecture["d_ff"] == 64);
    CHECK(meta.architecture["vocab_size"] == 333);
    CHECK(meta.positional_encoding["kind"] == "sine_spe");
    CHECK(meta.architecture["pe"] == "sine_spe");
    CHECK(meta.architecture["pad_id"] == 332);
    CHECK(meta.positional_encoding["num_sines"] == 5);
    CHECK(meta.architecture["spe"]["num_sines"] == 5);
    CHECK(meta.positional_encoding["gated"] == true);
    CHECK(meta.tokenizer["scheme"] == "remi");
    CHECK(meta.tokenizer["vocab"] == "paper");
    const auto& tokens = meta.tokenizer["vocabulary"]["tokens"];
    REQUIRE(tokens.size() == 333);
    CHECK(tokens[17] == "Chord_A#_+");
    CHECK(tokens[150] == "EOS_None");
    CHECK(tokens[309] == "Tempo_32");
    CHECK(meta.training_length == 2048);
    CHECK(checkpoint.weights.dtype == "F32");
  }
  SECTION("ungated SineSPE has no gates") {
    const json expected = make_and_convert(root, "--pe sine --ungated", "");
    const auto checkpoint = load_checkpoint(root / "model");
    check_tensors(checkpoint, expected);
    CHECK(checkpoint.meta.positional_encoding["gated"] == false);
  }
  SECTION("gated ConvSPE: kernel size from conv_q") {
    const json expected = make_and_convert(root, "--pe conv", "");
    const auto checkpoint = load_checkpoint(root / "model");
    check_tensors(checkpoint, expected);
    CHECK(checkpoint.meta.positional_encoding["kind"] == "conv_spe");
    CHECK(checkpoint.meta.positional_encoding["kernel_size"] == 16);
    CHECK(checkpoint.meta.positional_encoding["gated"] == true);
  }
  SECTION("APE: sinusoidal table verified and stored as the reference (max_len, 1, d_model) buffer") {
    const json expected = make_and_convert(root, "--pe ape", "");
    const auto checkpoint = load_checkpoint(root / "model");
    check_tensors(checkpoint, expected);
    CHECK(checkpoint.meta.positional_encoding["kind"] == "ape_sine");
    CHECK(checkpoint.meta.architecture["ape_max_len"] == 64);
  }
  SECTION("groove event vocabulary (794 tokens), stored as BF16") {
    make_and_convert(root, "--pe sine --vocab 794", "--dtype BF16");
    const auto checkpoint = load_checkpoint(root / "model");
    CHECK(checkpoint.weights.dtype == "BF16");
    CHECK(checkpoint.meta.tokenizer["scheme"] == "event");
    REQUIRE(checkpoint.meta.tokenizer["vocabulary"]["tokens"].size() == 794);
    CHECK(checkpoint.meta.tokenizer["vocabulary"]["tokens"][792] == "eos");
    CHECK(checkpoint.meta.architecture["pad_id"] == 792);
    CHECK(checkpoint.meta.training_length == 512);
    for (const auto& [name, tensor] : checkpoint.tensors) CHECK(tensor.scalar_type() == at::kBFloat16);
  }
  SECTION("an unexpected key is refused with its name, exit status 2") {
    const auto pt = root / "reference.pt";
    REQUIRE(run(std::string(kPython) + " " + quoted(fixture_script()) + " " + quoted(pt) + " " +
                quoted(root / "expected.json") + " --pe sine --extra-key transformer_decoder.mystery.weight")
                .status == 0);
    const auto result = run(std::string(kPython) + " " + quoted(converter()) + " " + quoted(pt) + " " +
                            quoted(root / "model"));
    CHECK(result.status == 2);
    CHECK_THAT(result.output, Catch::Contains("transformer_decoder.mystery.weight") && Catch::Contains("unexpected"));
    CHECK_FALSE(fs::exists(root / "model" / "model.json"));
  }
  SECTION("a file that is not a state dict is refused") {
    std::ofstream(root / "junk.pt") << "not a pickle";
    const auto result = run(std::string(kPython) + " " + quoted(converter()) + " " +
                            quoted(root / "junk.pt") + " " + quoted(root / "model"));
    CHECK(result.status == 2);
    CHECK_THAT(result.output, Catch::Contains("junk.pt"));
  }
}
