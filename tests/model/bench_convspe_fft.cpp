// Measures the direct and the FFT ConvSPE convolution (forward + backward through both filters) on the
// grid of docs/results/convspe-fft.md and prints a Markdown table ([slow]: 1–3 min with the default 8 channels):
//   build/tests/test_model "[convspe-bench]"
// It checks that both paths agree in every cell but asserts nothing about time (the machine is shared).
#include "torch_catch.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "model/spe_generators.hpp"

namespace {

// Forward + backward of the two filters over the noise z (R, C, N + K − 1), as ConvSPE::codes does.
double time_once(bool fft, const torch::Tensor& z, const torch::Tensor& wq, const torch::Tensor& wk) {
  const auto start = std::chrono::steady_clock::now();
  torch::Tensor q, k;
  if (fft) {
    torch::Tensor both = spe::model::fft_valid_correlation(z, torch::stack({wq, wk}));
    q = both[0];
    k = both[1];
  } else {
    q = at::conv1d(z, wq.unsqueeze(1), {}, at::IntArrayRef{1}, at::IntArrayRef{0}, at::IntArrayRef{1}, z.size(1));
    k = at::conv1d(z, wk.unsqueeze(1), {}, at::IntArrayRef{1}, at::IntArrayRef{0}, at::IntArrayRef{1}, z.size(1));
  }
  (q.sum() + k.sum()).backward();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("ConvSPE direct vs FFT timing table", "[slow][convspe-bench]") {
  const int realizations = 64;
  const int channels = std::getenv("SPE_BENCH_CHANNELS") ? std::atoi(std::getenv("SPE_BENCH_CHANNELS")) : 8;
  const int repetitions = 3;
  std::printf("| threads | K | N | direct ms (median [min–max]) | FFT ms (median [min–max]) | direct/FFT |\n");
  std::printf("|---|---|---|---|---|---|\n");
  for (int threads : {1, 2}) {
    torch::set_num_threads(threads);
    for (int k : {16, 64, 128, 200, 512}) {
      for (std::int64_t n : {256, 2048, 8192}) {
        at::Generator g = at::detail::createCPUGenerator(1);
        torch::Tensor z = torch::randn({realizations, channels, n + k - 1}, g);
        torch::Tensor wq = torch::randn({channels, k}, g).requires_grad_();
        torch::Tensor wk = torch::randn({channels, k}, g).requires_grad_();
        {
          torch::NoGradGuard no_grad;
          torch::Tensor fft = spe::model::fft_valid_correlation(z, wq);
          torch::Tensor direct = at::conv1d(z, wq.unsqueeze(1), {}, at::IntArrayRef{1}, at::IntArrayRef{0},
                                            at::IntArrayRef{1}, channels);
          CHECK(((fft - direct).abs().max() / direct.abs().max()).item<double>() < 1e-4);
        }
        std::vector<double> times[2];
        for (int rep = 0; rep < repetitions + 1; ++rep) {  // the first run of each warms caches, not counted
          for (int path = 0; path < 2; ++path) {
            wq.mutable_grad() = torch::Tensor();
            wk.mutable_grad() = torch::Tensor();
            const double ms = time_once(path == 1, z, wq, wk);
            if (rep > 0) times[path].push_back(ms);
          }
        }
        for (auto& t : times) std::sort(t.begin(), t.end());
        auto median = [&](int p) { return times[p][times[p].size() / 2]; };
        std::printf("| %d | %d | %lld | %.1f [%.1f–%.1f] | %.1f [%.1f–%.1f] | %.2f |\n", threads, k,
                    static_cast<long long>(n), median(0), times[0].front(), times[0].back(), median(1),
                    times[1].front(), times[1].back(), median(0) / median(1));
        std::fflush(stdout);
      }
    }
  }
  torch::set_num_threads(1);
}
