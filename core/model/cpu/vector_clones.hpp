#pragma once
// SPE_VECTOR_CLONES: compile a loop for AVX-512, AVX2 and the baseline and pick one at load time (GCC
// function multi-versioning; the build targets baseline x86-64). Files using it are compiled without FMA
// contraction (-ffp-contract=off, core/model/CMakeLists.txt), and vectorising over columns keeps each
// output element's order of operations, so every version gives the same bits.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define SPE_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SPE_VECTOR_CLONES
#endif
