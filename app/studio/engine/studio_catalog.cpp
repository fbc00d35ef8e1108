#include "studio_catalog.hpp"

#include <torch/cuda.h>

#include "studio_engine.hpp"

namespace spe::studio {

ui::ModelDescription describe_model(const generate::ModelInfo& info, const std::string& source, bool is_default) {
  ui::ModelDescription d;
  d.name = info.name;
  d.id = info.id();
  d.description = info.description;
  d.license = info.license;
  d.scheme = info.scheme;
  d.pe = info.pe;
  d.gated = info.gated;
  d.train_len = info.train_len;
  d.parameters = info.parameters;
  d.path = info.path.string();
  d.source = source;
  d.is_default = is_default;
  return d;
}

StudioCatalog::StudioCatalog(generate::ModelRoots roots) : roots_(std::move(roots)) {}

generate::ModelRoots StudioCatalog::defaultRoots(const std::filesystem::path& executable) {
  generate::ModelRoots roots;
  roots.bundled = generate::bundled_model_roots(SPE_RESOURCE_DIR, executable);
  roots.user = generate::user_model_root();
  return roots;
}

std::vector<ui::ModelDescription> StudioCatalog::list() const {
  std::vector<ui::ModelDescription> out;
  for (const auto& entry : generate::list_models(roots_)) {
    auto d = describe_model(entry.info, entry.source, entry.is_default);
    d.error = entry.error;
    if (d.path.empty()) d.path = entry.info.path.string();
    out.push_back(std::move(d));
  }
  for (const auto& folder : added_) {
    try {
      auto info = generate::read_model_info(folder);
      info.path = folder;
      out.push_back(describe_model(info, "added", false));
    } catch (const std::exception& e) {
      ui::ModelDescription d;
      d.name = std::filesystem::path(folder).filename().string();
      d.path = folder;
      d.source = "added";
      d.error = e.what();
      out.push_back(std::move(d));
    }
  }
  return out;
}

std::shared_ptr<ui::GenerationEngine> StudioCatalog::load(const std::string& folder, const std::string& device,
                                                          int threads) const {
  return StudioEngine::load(folder, {device, threads});
}

bool StudioCatalog::cudaAvailable(std::string* reason) const {
  if (torch::cuda::is_available()) return true;
  if (reason)
    *reason = torch::cuda::device_count() == 0 ? "no CUDA device (the linked LibTorch is CPU-only or no NVIDIA GPU is present)"
                                               : "CUDA is not usable";
  return false;
}

}  // namespace spe::studio
