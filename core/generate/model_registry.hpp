#pragma once
// Where models live and how a name becomes a folder: bundled models (resources/models/<name>, found at
// the path compiled in and relative to an installed executable) and user models
// ($XDG_DATA_HOME/spe-studio/models, default ~/.local/share/spe-studio/models).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "generate/model.hpp"

namespace spe::generate {

struct ModelRoots {
  std::vector<std::filesystem::path> bundled;  // searched in order
  std::filesystem::path user;
};

// The user model folder from the environment (XDG_DATA_HOME, then HOME).
std::filesystem::path user_model_root();
// Bundled roots: `<resource_dir>/models` and, for installs, `<exe dir>/../share/spe-studio/models`
// (duplicates and missing folders dropped). `executable` may be empty.
std::vector<std::filesystem::path> bundled_model_roots(const std::filesystem::path& resource_dir,
                                                       const std::filesystem::path& executable);

struct ModelEntry {
  ModelInfo info;
  std::string source;      // "bundled" | "user"
  bool is_default = false; // the folder is named "default" or its model.json says "default": true
  std::string error;       // non-empty: the folder looks like a model but model.json could not be read
};

// Every model folder directly under the roots, bundled first, each root sorted by folder name.
std::vector<ModelEntry> list_models(const ModelRoots& roots);

// A folder path (holding model.json) is used as is; otherwise `name` is looked up among the user models,
// then the bundled ones, by folder name or model name. Throws std::invalid_argument with a one-line
// message ("no model named ..." / "... is not a model folder") otherwise.
std::filesystem::path resolve_model(const std::string& name_or_dir, const ModelRoots& roots);
// The bundled default model, or nullopt when none is installed.
std::optional<std::filesystem::path> default_model(const ModelRoots& roots);

}  // namespace spe::generate
