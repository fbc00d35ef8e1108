#include "generate/allocator.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace spe::generate {

void keep_freed_blocks_for_reuse() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

}  // namespace spe::generate
