// Model folders: bit-exact round trips with metadata, and every defect of model.json / the weights
// rejected with a message naming the file and the field.
#include "aten_catch.hpp"
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "io/build_info.hpp"
#include "io/checkpoint.hpp"
#include "io/sha256.hpp"
#include "spe_run.hpp"
#include "test_paths.hpp"

namespace fs = std::filesystem;
using namespace spe::io;
using nlohmann::json;

namespace {

bool same_bits(const at::Tensor& a, const at::Tensor& b) {
  if (a.scalar_type() != b.scalar_type() || a.sizes() != b.sizes()) return false;
  const auto ca = a.contiguous(), cb = b.contiguous();
  // An empty tensor may have no storage: memcmp with a null pointer is undefined even for 0 bytes.
  return ca.nbytes() == 0 || std::memcmp(ca.data_ptr(), cb.data_ptr(), ca.nbytes()) == 0;
}

CheckpointMeta example_meta() {
  CheckpointMeta meta;
  meta.name = "tiny-sine";
  meta.description = "test model";
  meta.architecture = {{"d_model", 16}, {"n_layers", 2}, {"n_heads", 2}, {"d_ff", 32}, {"vocab_size", 333}};
  meta.positional_encoding = {{"kind", "sine"}, {"gated", true}, {"num_sines", 5}, {"num_realizations", 64}};
  meta.tokenizer = {{"scheme", "remi"}, {"vocabulary", json::array({"Bar_None", "Beat_0"})}};
  meta.training_length = 2048;
  meta.steps = 1234;
  meta.dataset = {{"name", "pop909"}, {"pieces", 909}};
  meta.metrics = {{"train_loss", 1.532}, {"val_loss", 1.61}};
  meta.provenance = Provenance::now("spe train --data x", "abc123");
  meta.license = "CC-BY-4.0";
  return meta;
}

NamedTensors example_tensors(c10::ScalarType type) {
  at::manual_seed(11);
  return {{"layers.0.weight", at::randn({8, 4}).to(type)},
          {"layers.0.bias", at::randn({8}).to(type)},
          {"emb.weight", at::randn({10, 4}).to(type)},
          {"steps", at::tensor({std::int64_t(42)})}};
}

std::string load_error(const fs::path& dir, const LoadOptions& options = {}) {
  try {
    load_checkpoint(dir, options);
  } catch (const FormatError& e) {
    return e.what();
  }
  return "(no error)";
}

json read_json(const fs::path& path) {
  std::ifstream in(path);
  return json::parse(in);
}

void write_text(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::trunc) << text; }

// `git rev-parse HEAD` in `dir`, or "" when git is absent or cannot read the folder as a repository.
std::string git_head_commit(const fs::path& dir) {
  const auto git =
      spe::test::run_command("git -C " + spe::test::shell_quote(dir) + " rev-parse HEAD 2>/dev/null");
  if (git.status != 0) return {};
  std::string out = git.output;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace

TEST_CASE("checkpoint round trip is bit-exact in F32, F16 and BF16 and keeps the metadata") {
  for (auto type : {at::kFloat, at::kHalf, at::kBFloat16}) {
    const std::string type_name = c10::toString(type);
    INFO(type_name);
    const auto dir = spe::test::scratch_dir("io_checkpoint_" + type_name) / "model";
    const auto tensors = example_tensors(type);
    const auto meta = example_meta();
    save_checkpoint(dir, tensors, meta);
    REQUIRE(is_checkpoint_dir(dir));

    const auto loaded = load_checkpoint(dir);
    REQUIRE(loaded.tensors.size() == tensors.size());
    for (const auto& [name, tensor] : tensors) {
      INFO(name);
      const auto it = std::find_if(loaded.tensors.begin(), loaded.tensors.end(),
                                   [&](const auto& p) { return p.first == name; });
      REQUIRE(it != loaded.tensors.end());
      CHECK(same_bits(it->second, tensor));
    }
    CHECK(checkpoint_json(loaded.meta, loaded.weights) == checkpoint_json(meta, loaded.weights));
    CHECK(loaded.weights.sha256 == sha256_file_hex(dir / kWeightsFileName));
    CHECK(loaded.weights.bytes == fs::file_size(dir / kWeightsFileName));
    CHECK(loaded.weights.dtype == std::string(dtype_name(*dtype_from_torch(type))));
  }
}

TEST_CASE("checkpoint save-as and load-as dtype options") {
  const auto dir = spe::test::scratch_dir("io_checkpoint_dtypes") / "model";
  const auto tensors = example_tensors(at::kFloat);
  save_checkpoint(dir, tensors, example_meta(), SaveOptions{DType::BF16});
  const auto stored = load_checkpoint(dir);
  CHECK(stored.weights.dtype == "BF16");
  LoadOptions as_f32;
  as_f32.dtype = at::kFloat;
  const auto widened = load_checkpoint(dir, as_f32);
  for (const auto& [name, tensor] : tensors) {
    INFO(name);
    const auto it = std::find_if(widened.tensors.begin(), widened.tensors.end(),
                                 [&](const auto& p) { return p.first == name; });
    REQUIRE(it != widened.tensors.end());
    const auto expected = tensor.is_floating_point() ? tensor.to(at::kBFloat16).to(at::kFloat) : tensor;
    CHECK(same_bits(it->second, expected));
  }
}

TEST_CASE("model.json follows the documented layout") {
  const auto dir = spe::test::scratch_dir("io_checkpoint_layout") / "model";
  save_checkpoint(dir, example_tensors(at::kFloat), example_meta());
  const json j = read_json(dir / kMetaFileName);
  CHECK(j["format"] == "spe-studio-model");
  CHECK(j["format_version"] == 1);
  CHECK(j["architecture"]["d_model"] == 16);
  CHECK(j["positional_encoding"]["kind"] == "sine");
  CHECK(j["tokenizer"]["scheme"] == "remi");
  CHECK(j["training"]["length"] == 2048);
  CHECK(j["training"]["steps"] == 1234);
  CHECK(j["training"]["dataset"]["name"] == "pop909");
  CHECK(j["training"]["metrics"]["train_loss"] == 1.532);
  CHECK(j["provenance"]["command"] == "spe train --data x");
  CHECK(j["provenance"]["git_commit"] == "abc123");
  CHECK(j["provenance"]["tool"].get<std::string>().rfind("spe-studio ", 0) == 0);
  CHECK(j["provenance"]["date"].get<std::string>().size() == 20);  // YYYY-MM-DDTHH:MM:SSZ
  CHECK(j["license"] == "CC-BY-4.0");
  CHECK(j["weights"]["file"] == "model.safetensors");
  CHECK(j["weights"]["sha256"].get<std::string>().size() == 64);
  const auto [meta, weights] = read_checkpoint_meta(dir);
  CHECK(meta.name == "tiny-sine");
  CHECK(weights.sha256 == j["weights"]["sha256"].get<std::string>());
}

TEST_CASE("saving over an existing checkpoint replaces it completely") {
  const auto dir = spe::test::scratch_dir("io_checkpoint_overwrite") / "model";
  save_checkpoint(dir, example_tensors(at::kFloat), example_meta());
  auto meta = example_meta();
  meta.steps = 99;
  save_checkpoint(dir, NamedTensors{{"only", at::ones({3})}}, meta);
  const auto loaded = load_checkpoint(dir);
  REQUIRE(loaded.tensors.size() == 1);
  CHECK(loaded.meta.steps == 99);
  // Nothing but the two files: temporary files were renamed into place.
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
  CHECK(entries == 2);
}

TEST_CASE("checkpoint loading rejects broken folders with a precise message") {
  const auto root = spe::test::scratch_dir("io_checkpoint_broken");
  const auto dir = root / "model";
  save_checkpoint(dir, example_tensors(at::kFloat), example_meta());
  const auto meta_path = dir / kMetaFileName;
  const auto weights_path = dir / kWeightsFileName;
  const json good = read_json(meta_path);

  SECTION("missing folder") {
    CHECK_THAT(load_error(root / "nowhere"), Catch::Contains("nowhere") && Catch::Contains("not found"));
  }
  SECTION("missing model.json") {
    fs::remove(meta_path);
    CHECK_THAT(load_error(dir), Catch::Contains(meta_path.string()) && Catch::Contains("missing"));
  }
  SECTION("missing weights") {
    fs::remove(weights_path);
    CHECK_THAT(load_error(dir), Catch::Contains(weights_path.string()) && Catch::Contains("missing"));
  }
  SECTION("model.json is not JSON") {
    write_text(meta_path, "{\"format\": ");
    CHECK_THAT(load_error(dir), Catch::Contains(meta_path.string()) && Catch::Contains("not valid JSON"));
  }
  SECTION("required fields missing") {
    for (const char* field : {"format", "format_version", "architecture", "positional_encoding", "tokenizer",
                              "training", "license", "weights"}) {
      INFO(field);
      json broken = good;
      broken.erase(field);
      write_text(meta_path, broken.dump());
      CHECK_THAT(load_error(dir), Catch::Contains(meta_path.string()) &&
                                      Catch::Contains("missing field '" + std::string(field) + "'"));
    }
    json broken = good;
    broken["training"].erase("length");
    write_text(meta_path, broken.dump());
    CHECK_THAT(load_error(dir), Catch::Contains("missing field 'training.length'"));
    broken = good;
    broken["weights"].erase("sha256");
    write_text(meta_path, broken.dump());
    CHECK_THAT(load_error(dir), Catch::Contains("missing field 'weights.sha256'"));
  }
  SECTION("mistyped fields") {
    json broken = good;
    broken["architecture"] = "big";
    write_text(meta_path, broken.dump());
    CHECK_THAT(load_error(dir), Catch::Contains("'architecture' must be a JSON object"));
    broken = good;
    broken["training"]["length"] = -5;
    write_text(meta_path, broken.dump());
    CHECK_THAT(load_error(dir), Catch::Contains("'training.length' must be a non-negative integer"));
    broken = good;
    broken["weights"]["sha256"] = "XYZ";
    write_text(meta_path, broken.dump());
    CHECK_THAT(load_error(dir), Catch::Contains("'weights.sha256'"));
  }
  SECTION("unknown format or newer version") {
    json broken = good;
    broken["format"] = "something-else";
    write_text(meta_path, broken.dump());
    CHECK_THAT(load_error(dir), Catch::Contains("'format'"));
    broken = good;
    broken["format_version"] = 2;
    write_text(meta_path, broken.dump());
    CHECK_THAT(load_error(dir), Catch::Contains("format_version 2 is not supported"));
  }
  SECTION("weights changed after saving: SHA-256 mismatch") {
    std::fstream f(weights_path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-1, std::ios::end);
    f.put('\x7f');
    f.close();
    CHECK_THAT(load_error(dir), Catch::Contains(weights_path.string()) && Catch::Contains("SHA-256 mismatch"));
    LoadOptions trusting;
    trusting.verify_sha256 = false;
    CHECK_NOTHROW(load_checkpoint(dir, trusting));  // same size, still a structurally valid file
  }
  SECTION("weights truncated") {
    fs::resize_file(weights_path, fs::file_size(weights_path) - 4);
    CHECK_THAT(load_error(dir), Catch::Contains(weights_path.string()) && Catch::Contains("model.json records"));
  }
  SECTION("structurally corrupt weights are reported by the safetensors reader") {
    json patched = good;
    const auto size = fs::file_size(weights_path);
    std::ofstream(weights_path, std::ios::binary | std::ios::trunc) << std::string(size, '\xff');
    patched["weights"]["sha256"] = sha256_file_hex(weights_path);
    write_text(meta_path, patched.dump());
    CHECK_THAT(load_error(dir), Catch::Contains(weights_path.string()) && Catch::Contains("header length"));
  }
}

TEST_CASE("provenance records the tool, the UTC date and the build's git commit") {
  const auto p = Provenance::now("spe train");
  CHECK(p.command == "spe train");
  CHECK_THAT(p.tool, Catch::Matches(R"(spe-studio \d+\.\d+\.\d+)"));
  CHECK_THAT(p.date, Catch::Matches(R"(20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ)"));
  CHECK(p.git_commit == build_git_commit());
  CHECK(Provenance::now("x", "given").git_commit == "given");

  // The build records a commit only when git could name one; a source copy without usable history (no
  // .git, or one git refuses to read) records "" = unknown, never a made-up value.
  const std::string commit = build_git_commit();
  if (commit.empty()) {
    WARN("this build's git commit is unknown (sources were not a readable git checkout)");
  } else {
    CHECK_THAT(commit, Catch::Matches(R"([0-9a-f]{40}(-dirty)?)"));
  }
  // Where git can read the sources now, the build (same tree, same machine) must have recorded a commit.
  const std::string git_head = git_head_commit(spe::test::source_dir());
  if (!git_head.empty()) CHECK_FALSE(commit.empty());

  // An unknown commit survives model.json: written as "", read back as "" (and a missing field is unknown).
  auto meta = example_meta();
  meta.provenance.git_commit.clear();
  const WeightsInfo weights{kWeightsFileName, std::string(64, 'a'), 1, "F32"};
  json j = checkpoint_json(meta, weights);
  CHECK(j["provenance"]["git_commit"] == "");
  CHECK(parse_checkpoint_json(j, "model.json").first.provenance.git_commit.empty());
  j["provenance"].erase("git_commit");
  CHECK(parse_checkpoint_json(j, "model.json").first.provenance.git_commit.empty());
}
