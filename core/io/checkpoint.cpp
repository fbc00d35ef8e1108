#include "io/checkpoint.hpp"

#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>

#include "io/atomic_file.hpp"
#include "io/build_info.hpp"
#include "io/sha256.hpp"

#ifndef SPE_VERSION
#define SPE_VERSION "unknown"
#endif

namespace spe::io {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kFormatName = "spe-studio-model";

// Typed access to model.json fields with one-line errors naming the file and the field path.
class FieldReader {
 public:
  explicit FieldReader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& what) const { throw FormatError(source_ + ": " + what); }

  const json& require(const json& object, const std::string& path, const std::string& key) const {
    const auto it = object.find(key);
    if (it == object.end()) fail("missing field '" + path + key + "'");
    return *it;
  }
  const json& object(const json& parent, const std::string& path, const std::string& key) const {
    const json& value = require(parent, path, key);
    if (!value.is_object()) fail("field '" + path + key + "' must be a JSON object");
    return value;
  }
  std::string string(const json& parent, const std::string& path, const std::string& key) const {
    const json& value = require(parent, path, key);
    if (!value.is_string()) fail("field '" + path + key + "' must be a string");
    return value.get<std::string>();
  }
  std::int64_t integer(const json& parent, const std::string& path, const std::string& key) const {
    const json& value = require(parent, path, key);
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0) {
      fail("field '" + path + key + "' must be a non-negative integer");
    }
    return value.get<std::int64_t>();
  }
  std::string optional_string(const json& parent, const std::string& path, const std::string& key) const {
    return parent.contains(key) ? string(parent, path, key) : std::string();
  }
  json optional_object(const json& parent, const std::string& path, const std::string& key) const {
    return parent.contains(key) ? object(parent, path, key) : json::object();
  }

 private:
  std::string source_;
};

bool is_sha256_hex(const std::string& text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// The storage dtype of the floating-point tensors ("mixed" if they differ, "none" without any).
std::string float_storage_dtype(const SafetensorsFile& file) {
  std::string found;
  for (const auto& t : file.tensors()) {
    if (!dtype_is_floating(t.dtype)) continue;
    const std::string name(dtype_name(t.dtype));
    if (found.empty()) found = name;
    else if (found != name) return "mixed";
  }
  return found.empty() ? "none" : found;
}

}  // namespace

Provenance Provenance::now(std::string command, std::string git_commit) {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&t, &utc);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &utc);
  if (git_commit.empty()) git_commit = build_git_commit();
  return {std::string("spe-studio ") + SPE_VERSION, date, std::move(command), std::move(git_commit)};
}

json checkpoint_json(const CheckpointMeta& meta, const WeightsInfo& weights) {
  json training = {{"length", meta.training_length}, {"steps", meta.steps}, {"dataset", meta.dataset}, {"metrics", meta.metrics}};
  if (meta.history.is_array() && !meta.history.empty()) training["history"] = meta.history;
  return json{
      {"format", kFormatName},
      {"format_version", kCheckpointFormatVersion},
      {"name", meta.name},
      {"description", meta.description},
      {"architecture", meta.architecture},
      {"positional_encoding", meta.positional_encoding},
      {"tokenizer", meta.tokenizer},
      {"training", training},
      {"provenance",
       {{"tool", meta.provenance.tool},
        {"date", meta.provenance.date},
        {"command", meta.provenance.command},
        {"git_commit", meta.provenance.git_commit}}},
      {"license", meta.license},
      {"weights", {{"file", weights.file}, {"sha256", weights.sha256}, {"bytes", weights.bytes}, {"dtype", weights.dtype}}},
  };
}

std::pair<CheckpointMeta, WeightsInfo> parse_checkpoint_json(const json& root, const std::string& source) {
  FieldReader r(source);
  if (!root.is_object()) r.fail("not a JSON object");
  if (r.string(root, "", "format") != kFormatName) r.fail("field 'format' is not \"" + std::string(kFormatName) + "\"");
  const auto version = r.integer(root, "", "format_version");
  if (version < 1 || version > kCheckpointFormatVersion) {
    r.fail("format_version " + std::to_string(version) + " is not supported (this build reads up to " +
           std::to_string(kCheckpointFormatVersion) + ")");
  }
  CheckpointMeta meta;
  meta.name = r.optional_string(root, "", "name");
  meta.description = r.optional_string(root, "", "description");
  meta.architecture = r.object(root, "", "architecture");
  meta.positional_encoding = r.object(root, "", "positional_encoding");
  meta.tokenizer = r.object(root, "", "tokenizer");
  const json& training = r.object(root, "", "training");
  meta.training_length = r.integer(training, "training.", "length");
  meta.steps = training.contains("steps") ? r.integer(training, "training.", "steps") : 0;
  meta.dataset = r.optional_object(training, "training.", "dataset");
  meta.metrics = r.optional_object(training, "training.", "metrics");
  if (training.contains("history")) {
    meta.history = training.at("history");
    if (!meta.history.is_array()) r.fail("field 'training.history' is not an array");
  }
  if (root.contains("provenance")) {
    const json& p = r.object(root, "", "provenance");
    meta.provenance.tool = r.optional_string(p, "provenance.", "tool");
    meta.provenance.date = r.optional_string(p, "provenance.", "date");
    meta.provenance.command = r.optional_string(p, "provenance.", "command");
    meta.provenance.git_commit = r.optional_string(p, "provenance.", "git_commit");
  }
  meta.license = r.string(root, "", "license");

  WeightsInfo weights;
  const json& w = r.object(root, "", "weights");
  weights.file = r.string(w, "weights.", "file");
  if (weights.file != kWeightsFileName) r.fail("field 'weights.file' must be \"" + std::string(kWeightsFileName) + "\"");
  weights.sha256 = r.string(w, "weights.", "sha256");
  if (!is_sha256_hex(weights.sha256)) r.fail("field 'weights.sha256' is not 64 lowercase hex digits");
  weights.bytes = std::uint64_t(r.integer(w, "weights.", "bytes"));
  weights.dtype = r.optional_string(w, "weights.", "dtype");
  return {std::move(meta), std::move(weights)};
}

void save_checkpoint(const fs::path& dir, const NamedTensors& tensors, const CheckpointMeta& meta,
                     const SaveOptions& options) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!fs::is_directory(dir)) throw FormatError(dir.string() + ": cannot create model folder");
  const fs::path weights_path = dir / kWeightsFileName;
  write_safetensors(weights_path, tensors, TensorWriteOptions{options.dtype}, {{"format", kFormatName}});

  // Hash what is on disk (not what we meant to write), then describe it.
  WeightsInfo weights;
  weights.sha256 = sha256_file_hex(weights_path);
  weights.bytes = fs::file_size(weights_path);
  weights.dtype = float_storage_dtype(SafetensorsFile::open(weights_path));
  write_file_atomically(dir / kMetaFileName, checkpoint_json(meta, weights).dump(2) + "\n");
}

std::pair<CheckpointMeta, WeightsInfo> read_checkpoint_meta(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw FormatError(dir.string() + ": model folder not found");
  const fs::path meta_path = dir / kMetaFileName;
  std::ifstream in(meta_path, std::ios::binary);
  if (!in) throw FormatError(meta_path.string() + ": missing (a model folder needs model.json)");
  std::stringstream text;
  text << in.rdbuf();
  json root;
  try {
    root = json::parse(text.str());
  } catch (const json::parse_error& e) {
    throw FormatError(meta_path.string() + ": not valid JSON (" + e.what() + ")");
  }
  return parse_checkpoint_json(root, meta_path.string());
}

Checkpoint load_checkpoint(const fs::path& dir, const LoadOptions& options) {
  auto [meta, weights] = read_checkpoint_meta(dir);
  const fs::path weights_path = dir / weights.file;
  if (!fs::is_regular_file(weights_path)) throw FormatError(weights_path.string() + ": missing weights file");
  const auto size = fs::file_size(weights_path);
  if (size != weights.bytes) {
    throw FormatError(weights_path.string() + ": " + std::to_string(size) + " bytes but model.json records " +
                      std::to_string(weights.bytes));
  }
  if (options.verify_sha256) {
    const std::string actual = sha256_file_hex(weights_path);
    if (actual != weights.sha256) {
      throw FormatError(weights_path.string() + ": SHA-256 mismatch (file " + actual + ", model.json " +
                        weights.sha256 + ")");
    }
  }
  Checkpoint checkpoint;
  checkpoint.tensors = read_safetensors(weights_path, TensorReadOptions{options.device, options.dtype});
  checkpoint.meta = std::move(meta);
  checkpoint.weights = std::move(weights);
  return checkpoint;
}

bool is_checkpoint_dir(const fs::path& dir) {
  return fs::is_regular_file(dir / kMetaFileName) && fs::is_regular_file(dir / kWeightsFileName);
}

}  // namespace spe::io
