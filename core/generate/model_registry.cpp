#include "generate/model_registry.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "io/checkpoint.hpp"

namespace spe::generate {

namespace fs = std::filesystem;

fs::path user_model_root() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg && *xdg) return fs::path(xdg) / "spe-studio" / "models";
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : ".") / ".local" / "share" / "spe-studio" / "models";
}

std::vector<fs::path> bundled_model_roots(const fs::path& resource_dir, const fs::path& executable) {
  std::vector<fs::path> candidates;
  if (!resource_dir.empty()) candidates.push_back(resource_dir / "models");
  if (!executable.empty())
    candidates.push_back(executable.parent_path().parent_path() / "share" / "spe-studio" / "models");
  std::vector<fs::path> roots;
  for (const auto& c : candidates) {
    std::error_code ec;
    if (!fs::is_directory(c, ec)) continue;
    const fs::path canonical = fs::weakly_canonical(c, ec);
    if (std::find(roots.begin(), roots.end(), canonical) == roots.end()) roots.push_back(canonical);
  }
  return roots;
}

namespace {

bool marked_default(const fs::path& dir) {
  if (dir.filename() == "default") return true;
  std::ifstream in(dir / io::kMetaFileName);
  const auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  return j.is_object() && j.contains("default") && j["default"].is_boolean() && j["default"].get<bool>();
}

std::vector<fs::path> model_dirs_under(const fs::path& root) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return dirs;
  for (const auto& entry : fs::directory_iterator(root, ec))
    if (entry.is_directory() && fs::exists(entry.path() / io::kMetaFileName)) dirs.push_back(entry.path());
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

ModelEntry entry_for(const fs::path& dir, const std::string& source) {
  ModelEntry e;
  e.source = source;
  e.info.name = dir.filename().string();
  e.info.path = dir;
  try {
    e.info = read_model_info(dir);
    e.is_default = marked_default(dir);
  } catch (const std::exception& ex) {
    e.error = ex.what();
  }
  return e;
}

}  // namespace

std::vector<ModelEntry> list_models(const ModelRoots& roots) {
  std::vector<ModelEntry> out;
  for (const auto& root : roots.bundled)
    for (const auto& dir : model_dirs_under(root)) out.push_back(entry_for(dir, "bundled"));
  for (const auto& dir : model_dirs_under(roots.user)) out.push_back(entry_for(dir, "user"));
  return out;
}

fs::path resolve_model(const std::string& name_or_dir, const ModelRoots& roots) {
  if (name_or_dir.empty()) throw std::invalid_argument("empty model name");
  const fs::path as_path(name_or_dir);
  std::error_code ec;
  if (fs::is_directory(as_path, ec)) {
    if (!fs::exists(as_path / io::kMetaFileName))
      throw std::invalid_argument(name_or_dir + " is not a model folder (no " + io::kMetaFileName + ")");
    return as_path;
  }
  if (name_or_dir.find('/') == std::string::npos) {
    std::vector<fs::path> search = {roots.user};
    search.insert(search.end(), roots.bundled.begin(), roots.bundled.end());
    for (const auto& root : search) {
      const fs::path dir = root / name_or_dir;
      if (fs::exists(dir / io::kMetaFileName)) return dir;
    }
    for (const auto& entry : list_models(roots))
      if (entry.error.empty() && entry.info.name == name_or_dir) return entry.info.path;
  }
  throw std::invalid_argument("no model named '" + name_or_dir + "' (not a folder, not among the models that " +
                              "`spe models` lists)");
}

std::optional<fs::path> default_model(const ModelRoots& roots) {
  for (const auto& root : roots.bundled) {
    if (fs::exists(root / "default" / io::kMetaFileName)) return root / "default";
    for (const auto& dir : model_dirs_under(root))
      if (marked_default(dir)) return dir;
  }
  return std::nullopt;
}

}  // namespace spe::generate
