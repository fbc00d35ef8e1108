#include "model/cpu/memory_bandwidth.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>

#include <ATen/Parallel.h>

namespace spe::model::cpu {

namespace {

// Eight independent sums so the loop is bound by loads, not by one addition chain; the compiler
// vectorises it to full-width integer adds.
std::uint64_t sum_words(const std::uint64_t* p, std::size_t n) {
  std::uint64_t s[8] = {};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) s[k] += p[i + static_cast<std::size_t>(k)];
  for (; i < n; ++i) s[0] += p[i];
  std::uint64_t total = 0;
  for (std::uint64_t v : s) total += v;
  return total;
}

}  // namespace

BandwidthMeasurement measure_read_bandwidth(std::size_t bytes, int passes) {
  if (bytes < (std::size_t{1} << 20) || passes < 1)
    throw std::invalid_argument("measure_read_bandwidth: need at least 1 MiB and one pass");
  const std::size_t words = bytes / sizeof(std::uint64_t);
  std::unique_ptr<std::uint64_t[]> buffer(new std::uint64_t[words]);
  // Touched by the threads that will read it (first touch places the pages near them).
  at::parallel_for(0, static_cast<std::int64_t>(words), 1 << 16, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) buffer[static_cast<std::size_t>(i)] = static_cast<std::uint64_t>(i);
  });
  BandwidthMeasurement out;
  out.bytes = words * sizeof(std::uint64_t);
  out.threads = at::get_num_threads();
  out.passes = passes;
  std::atomic<std::uint64_t> sink{0};  // keeps the sums alive
  double best_s = 0.0;
  for (int pass = 0; pass < passes; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    at::parallel_for(0, static_cast<std::int64_t>(words), 1 << 16, [&](std::int64_t b, std::int64_t e) {
      sink += sum_words(buffer.get() + b, static_cast<std::size_t>(e - b));
    });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (pass == 0 || s < best_s) best_s = s;
  }
  out.gb_per_s = static_cast<double>(out.bytes) / best_s / 1e9;
  return out;
}

}  // namespace spe::model::cpu
