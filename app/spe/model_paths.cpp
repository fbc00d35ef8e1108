#include "model_paths.hpp"

#include <filesystem>
#include <system_error>

namespace spe::cli {

generate::ModelRoots model_roots() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  generate::ModelRoots roots;
  roots.bundled = generate::bundled_model_roots(SPE_RESOURCE_DIR, ec ? std::filesystem::path() : exe);
  roots.user = generate::user_model_root();
  return roots;
}

}  // namespace spe::cli
