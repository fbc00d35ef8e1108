#pragma once
// Deletes a file or a folder with everything in it; a missing path is not an error.
//
// Why not std::filesystem::remove_all: PyTorch's pip wheels (manylinux, gcc-toolset) export their own
// statically linked copy of std::filesystem from libtorch.so, and the dynamic linker binds our calls to it;
// that copy's remove_all jumps to address 0 (seen with PyTorch 2.11 on Ubuntu 24.04). nftw + remove()
// go through libc only. Header-only so that torch-free targets (the test helpers) can use it too.

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <ftw.h>
#include <sys/stat.h>
#include <stdexcept>
#include <string>
#include <system_error>

namespace spe::io {

inline void remove_tree(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return;  // nothing there
  auto remove_entry = [](const char* p, const struct stat*, int, struct FTW*) -> int { return std::remove(p); };
  // Depth-first (children before their folder), not following symbolic links.
  if (::nftw(path.c_str(), remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
    throw std::runtime_error(path.string() + ": cannot delete: " + std::generic_category().message(errno));
}

}  // namespace spe::io
