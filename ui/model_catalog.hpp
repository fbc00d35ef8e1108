#pragma once
// What the model panel needs from the app: the models it can offer and a way to load one into a
// GenerationEngine. Implemented in app/studio over core/generate's registry; torch-free.

#include <memory>
#include <string>
#include <vector>

#include "generation_engine.hpp"

namespace spe::ui {

class ModelCatalog {
 public:
  virtual ~ModelCatalog() = default;
  // Bundled, user ($XDG_DATA_HOME/spe-studio/models) and added folders, bundled first. A folder whose
  // model.json is unreadable is listed with its one-line error.
  virtual std::vector<ModelDescription> list() const = 0;
  // Folders added by the user outside the user model root (persisted by the GUI).
  virtual void setAddedFolders(std::vector<std::string> folders) = 0;
  // Loads a model; throws std::exception with one line naming the folder and the problem.
  virtual std::shared_ptr<GenerationEngine> load(const std::string& folder, const std::string& device,
                                                 int threads) const = 0;
  // Whether "cuda" can be chosen; when not, `reason` says why (one line).
  virtual bool cudaAvailable(std::string* reason) const = 0;
};

}  // namespace spe::ui
