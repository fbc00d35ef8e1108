#pragma once
// The machine's memory read bandwidth, measured: the yardstick of a batch-1 step, which streams every
// weight once per token. `spe bench` divides the bytes a step reads by it (the weight-streaming limit).

#include <cstddef>

namespace spe::model::cpu {

struct BandwidthMeasurement {
  double gb_per_s = 0.0;  // best of the passes, 1 GB = 1e9 bytes
  std::size_t bytes = 0;  // buffer read per pass
  int threads = 0;        // LibTorch intra-op threads that read it
  int passes = 0;
};

// Reads a `bytes`-sized buffer (default 512 MiB: far beyond any last-level cache) `passes` times with
// LibTorch's intra-op threads, each thread a contiguous slice, and keeps the fastest pass.
BandwidthMeasurement measure_read_bandwidth(std::size_t bytes = std::size_t{512} << 20, int passes = 5);

}  // namespace spe::model::cpu
