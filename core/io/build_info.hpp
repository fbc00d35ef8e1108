#pragma once
// Facts about this build recorded in checkpoint provenance.

namespace spe::io {

// The git commit the library was built from ("<sha>" or "<sha>-dirty"); empty outside a git checkout.
// Refreshed at every build, not only when CMake is configured.
const char* build_git_commit();

}  // namespace spe::io
