#pragma once
// Process-wide allocator tuning for generation, called once by the programs' main (spe, spe-studio).

namespace spe::generate {

// glibc serves blocks from 128 KiB up with fresh mmap pages and returns them at free(), so every rewind
// point (a copy of the attention states, 133 KiB per layer for the bundled models) and every mid-sized
// temporary page-faulted anew: 10 % of a 64-bar take's time (docs/results/bench-cpu.md run G). Serving
// blocks below 64 MiB from the heap and keeping freed memory there turns those into reuse. No-op elsewhere.
void keep_freed_blocks_for_reuse();

}  // namespace spe::generate
