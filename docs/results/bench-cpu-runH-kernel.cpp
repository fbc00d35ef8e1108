// Run H (docs/results/bench-cpu.md): the BF16 kernel alone at batch 1 over the pop config's 96 products (as 96
// calls, and the same bytes as 4 calls: the per-call cost), with the thread count as argument. Built from the
// work tree root with
//   g++ -O3 -DNDEBUG -std=c++20 -ffp-contract=off -Icore -isystem /usr/include/torch/csrc/api/include \
//     docs/results/bench-cpu-runH-kernel.cpp core/model/cpu/bf16_gemv.cpp -ltorch_cpu -lc10 -o micro && ./micro 2
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <ATen/Parallel.h>
#include "model/cpu/bf16_gemv.hpp"
using namespace spe::model::cpu;
int main(int argc, char** argv) {
  at::set_num_threads(argc > 1 ? atoi(argv[1]) : 2);
  struct M { std::vector<bf16_t> w; std::size_t r, c; };
  std::vector<M> many, few;
  for (int l = 0; l < 24; ++l) for (auto [r, c] : std::vector<std::pair<int,int>>{{1536,512},{512,512},{2048,512},{512,2048}})
    many.push_back({std::vector<bf16_t>(r * padded_columns(c), 0x3f80), (size_t)r, (size_t)c});
  for (auto [r, c] : std::vector<std::pair<int,int>>{{24*1536,512},{24*512,512},{24*2048,512},{24*512,2048}})
    few.push_back({std::vector<bf16_t>(r * padded_columns(c), 0x3f80), (size_t)r, (size_t)c});
  std::vector<bf16_t> x(2048, 0x3f80); std::vector<float> out(24 * 2048);
  for (auto* set : {&many, &few, &many, &few}) {
    double best = 1e9;
    for (int rep = 0; rep < 10; ++rep) {
      auto t0 = std::chrono::steady_clock::now();
      for (auto& m : *set) gemv_bf16({m.w.data(), m.r, m.c}, x.data(), 1, {.out = out.data()});
      best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::printf("%zu calls: %.2f ms (%.1f GB/s)\n", set->size(), best, 151.0e6 / best / 1e6);
  }
}
