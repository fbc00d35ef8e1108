#pragma once
// The model folders this `spe` binary searches: bundled (compiled-in resource dir and, for installs,
// relative to the executable) and the user's ($XDG_DATA_HOME/spe-studio/models).

#include "generate/model_registry.hpp"

namespace spe::cli {

generate::ModelRoots model_roots();

}  // namespace spe::cli
