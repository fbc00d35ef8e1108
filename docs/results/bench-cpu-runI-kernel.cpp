// Run I (docs/results/bench-cpu.md): the BF16 kernel alone over the pop config's 96 products at a given thread
// count and batch (best of 40), with the epilogues a step uses (bias; ReLU into BF16 for linear1). Built from
// the work tree root with
//   g++ -O3 -DNDEBUG -std=c++20 -ffp-contract=off -Icore -isystem /usr/include/torch/csrc/api/include \
//     docs/results/bench-cpu-runI-kernel.cpp core/model/cpu/bf16_gemv.cpp -ltorch_cpu -lc10 -o micro && ./micro 2 8
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
  const std::size_t batch = argc > 2 ? atoi(argv[2]) : 8;
  struct M { std::vector<bf16_t> w; std::vector<float> bias; std::size_t r, c; };
  std::vector<M> many;
  for (int l = 0; l < 24; ++l) for (auto [r, c] : std::vector<std::pair<int,int>>{{1536,512},{512,512},{2048,512},{512,2048}})
    many.push_back({std::vector<bf16_t>(r * padded_columns(c), 0x3f80), std::vector<float>(r, 0.5f), (size_t)r, (size_t)c});
  std::vector<bf16_t> x(batch * 2048, 0x3f80), x16(batch * 2048); std::vector<float> out(batch * 2048);
  for (int round = 0; round < 1; ++round) {
    double best = 1e9;
    for (int rep = 0; rep < 40; ++rep) {
      auto t0 = std::chrono::steady_clock::now();
      for (auto& m : many) {
        if (m.r == 2048) gemv_bf16({m.w.data(), m.r, m.c}, x.data(), batch, {.bias = m.bias.data(), .relu = true, .out_bf16 = x16.data()});
        else gemv_bf16({m.w.data(), m.r, m.c}, x.data(), batch, {.bias = m.bias.data(), .out = out.data()});
      }
      best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::printf("batch %zu: %.2f ms\n", batch, best);
  }
}
