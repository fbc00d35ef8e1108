#pragma once
// ui::ModelCatalog over core/generate's model registry: the models a running spe-studio can offer.

#include <filesystem>

#include "generate/model_registry.hpp"
#include "model_catalog.hpp"

namespace spe::studio {

// What the model panel shows of a model's model.json (shared by the catalog and the loaded engine).
ui::ModelDescription describe_model(const generate::ModelInfo& info, const std::string& source = {},
                                    bool is_default = false);

class StudioCatalog : public ui::ModelCatalog {
 public:
  explicit StudioCatalog(generate::ModelRoots roots);
  // The roots of this executable: compiled-in resources, `<exe>/../share/spe-studio/models`, the user's.
  static generate::ModelRoots defaultRoots(const std::filesystem::path& executable);

  std::vector<ui::ModelDescription> list() const override;
  void setAddedFolders(std::vector<std::string> folders) override { added_ = std::move(folders); }
  std::shared_ptr<ui::GenerationEngine> load(const std::string& folder, const std::string& device,
                                             int threads) const override;
  bool cudaAvailable(std::string* reason) const override;

 private:
  generate::ModelRoots roots_;
  std::vector<std::string> added_;
};

}  // namespace spe::studio
