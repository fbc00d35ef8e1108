// Throwaway timing of run F (docs/results/bench-cpu.md): the BF16 kernel over the pop config's 96 matrices at batch
// 1 and 8, and linear_attention_step over 24 layers. Built from the work tree root with
//   g++ -O3 -DNDEBUG -std=c++20 -ffp-contract=off -Icore -isystem /usr/include/torch/csrc/api/include \
//     docs/results/bench-cpu-runF-micro.cpp core/model/cpu/bf16_gemv.cpp core/model/cpu/attention_step.cpp -ltorch_cpu -lc10
#include <chrono>
#include <cstdio>
#include <vector>
#include <ATen/Parallel.h>
#include "model/cpu/bf16_gemv.hpp"
#include "model/cpu/attention_step.hpp"
using namespace spe::model::cpu;
int main() {
  at::set_num_threads(2);
  // 24 layers: qkv 1536x512, o 512x512, w1 2048x512, w2 512x2048
  struct M { std::vector<bf16_t> w; std::size_t r, c; };
  std::vector<M> ms;
  for (int l = 0; l < 24; ++l) for (auto [r, c] : std::vector<std::pair<int,int>>{{1536,512},{512,512},{2048,512},{512,2048}})
    ms.push_back({std::vector<bf16_t>(r * padded_columns(c), 0x3f80), (size_t)r, (size_t)c});
  std::vector<bf16_t> x(8 * 2048, 0x3f80); std::vector<float> out(8 * 2048);
  for (int batch : {1, 8, 1, 8}) {
    double best = 1e9;
    for (int rep = 0; rep < 10; ++rep) {
      auto t0 = std::chrono::steady_clock::now();
      for (auto& m : ms) gemv_bf16({m.w.data(), m.r, m.c}, x.data(), batch, {.out = out.data()});
      best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::printf("gemv batch %d: %.2f ms per step\n", batch, best);
  }
  // attention: 24 layers x (B*8 heads, 128, 65)
  for (int batch : {1, 8}) {
    std::size_t heads = batch * 8;
    std::vector<float> s(24 * heads * 128 * 65, 1e-3f), k(heads*128, 0.1f), q(heads*128, 0.1f), v(heads*65, 0.5f), rd(heads*65), att(heads*64);
    double best = 1e9;
    for (int rep = 0; rep < 10; ++rep) {
      auto t0 = std::chrono::steady_clock::now();
      for (int l = 0; l < 24; ++l) linear_attention_step(s.data() + l * heads * 128 * 65, k.data(), v.data(), q.data(), rd.data(), att.data(), 1e-6f, heads, 128, 65);
      best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::printf("attention batch %d: %.2f ms per step\n", batch, best);
  }
}
