#pragma once
// A model folder: `model.safetensors` (weights, names = module paths) + `model.json` (everything needed to
// rebuild and describe the model). io knows nothing of the model: architecture, positional encoding and
// tokenizer descriptions are opaque JSON objects defined by their owners (model/, tokens/).
//
// model.json (format_version 1):
// { "format": "spe-studio-model", "format_version": 1, "name": "...", "description": "...",
//   "architecture": {...}, "positional_encoding": {...}, "tokenizer": {...},
//   "training": {"length": 2048, "steps": 0, "dataset": {...}, "metrics": {...}, "history": [...]},
//   "provenance": {"tool": "spe-studio 0.1.0", "date": "2026-...Z", "command": "...", "git_commit": "..."},
//   "license": "...",
//   "weights": {"file": "model.safetensors", "sha256": "<64 hex>", "bytes": N, "dtype": "F32"} }

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "io/safetensors.hpp"
#include "io/safetensors_torch.hpp"

namespace spe::io {

inline constexpr const char* kWeightsFileName = "model.safetensors";
inline constexpr const char* kMetaFileName = "model.json";
inline constexpr int kCheckpointFormatVersion = 1;

struct Provenance {
  std::string tool;        // e.g. "spe-studio 0.1.0"
  std::string date;        // ISO 8601 UTC, e.g. "2026-11-23T05:00:00Z"
  std::string command;     // the command line that produced the model
  std::string git_commit;  // empty when unknown

  // Tool = this build's version, date = now, git_commit = the one given or else this build's commit.
  static Provenance now(std::string command, std::string git_commit = {});
};

struct CheckpointMeta {
  std::string name;
  std::string description;
  nlohmann::json architecture = nlohmann::json::object();         // model's ModelConfig JSON
  nlohmann::json positional_encoding = nlohmann::json::object();  // summary: kind, gated, sines/kernel, R, ...
  nlohmann::json tokenizer = nlohmann::json::object();            // scheme + config + vocabulary
  std::int64_t training_length = 0;                               // tokens per training sequence
  std::int64_t steps = 0;                                         // optimiser steps taken
  nlohmann::json dataset = nlohmann::json::object();
  nlohmann::json metrics = nlohmann::json::object();
  // Earlier runs these weights continue (warm starts), oldest first; empty for a model trained from scratch.
  nlohmann::json history = nlohmann::json::array();
  Provenance provenance;
  std::string license;
};

// Facts about the weights file recorded in model.json.
struct WeightsInfo {
  std::string file = kWeightsFileName;
  std::string sha256;
  std::uint64_t bytes = 0;
  std::string dtype;  // storage dtype of the floating-point tensors ("F32", "BF16", ...)
};

// model.json text ⇄ meta. `source` names the file in error messages. Throws FormatError on a missing or
// mistyped field, an unknown format or a newer format_version.
nlohmann::json checkpoint_json(const CheckpointMeta& meta, const WeightsInfo& weights);
std::pair<CheckpointMeta, WeightsInfo> parse_checkpoint_json(const nlohmann::json& json, const std::string& source);

struct SaveOptions {
  std::optional<DType> dtype;  // store floating-point tensors as F32 / F16 / BF16; default: as given
};

// Creates `dir` if needed; writes the weights, then model.json (each atomically) so that model.json's
// SHA-256 always describes a complete weights file.
void save_checkpoint(const std::filesystem::path& dir, const NamedTensors& tensors, const CheckpointMeta& meta,
                     const SaveOptions& options = {});

struct LoadOptions {
  c10::Device device = c10::Device(c10::DeviceType::CPU);
  std::optional<c10::ScalarType> dtype;  // convert floating-point tensors (e.g. BF16 → F32); default: as stored
  bool verify_sha256 = true;             // hash the weights file and compare with model.json
};

struct Checkpoint {
  NamedTensors tensors;  // sorted by name
  CheckpointMeta meta;
  WeightsInfo weights;
};

// Throws FormatError naming the file on a missing folder/file, bad JSON, missing fields, a SHA-256
// mismatch or any safetensors defect.
Checkpoint load_checkpoint(const std::filesystem::path& dir, const LoadOptions& options = {});

// model.json only (cheap: for model lists).
std::pair<CheckpointMeta, WeightsInfo> read_checkpoint_meta(const std::filesystem::path& dir);

// True when `dir` holds both files (does not validate them).
bool is_checkpoint_dir(const std::filesystem::path& dir);

}  // namespace spe::io
