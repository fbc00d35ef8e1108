#include "model/spe_generators.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

#include <ATen/Parallel.h>
#include <torch/fft.h>
#include <torch/torch.h>

#include "model/cpu/spe_codes.hpp"
#include "model/keyed_noise.hpp"

namespace spe::model {

namespace {

double code_scale(int realizations, int in_features) {
  return std::pow(static_cast<double>(realizations) * in_features, -0.25);
}

void check_range(std::int64_t begin, std::int64_t end, int realizations) {
  if (begin < 0 || end < begin) throw std::invalid_argument("SPE: invalid position range");
  if (realizations <= 0) throw std::invalid_argument("SPE: the number of realizations must be positive");
}

torch::Tensor conv_noise_columns(std::int64_t first, std::int64_t count, int realizations, int channels,
                                 const NoiseContext& noise, int generator_index,
                                 const torch::TensorOptions& options) {
  const std::int64_t slab = static_cast<std::int64_t>(realizations) * channels;
  const bool f64 = options.dtype() == torch::kFloat64;
  torch::Tensor columns =
      torch::empty({count, realizations, channels}, torch::dtype(f64 ? torch::kFloat64 : torch::kFloat32));
  const std::uint64_t base = static_cast<std::uint64_t>(generator_index) << 40;
  at::parallel_for(0, count, 1, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t j = lo; j < hi; ++j) {
      const std::uint64_t key =
          noise.key(NoiseStream::conv_column, base | static_cast<std::uint64_t>(first + j));
      if (f64)
        keyed_normals(key, columns.data_ptr<double>() + j * slab, slab);
      else
        keyed_normals(key, columns.data_ptr<float>() + j * slab, slab);
    }
  });
  return columns.to(options);
}

// ------------------------------------------------------------------------------------------------ sine

class SineCodeStream final : public CodeStream {
 public:
  SineCodeStream(std::int64_t position, torch::Tensor omega, torch::Tensor offsets, torch::Tensor noise,
                 int heads)
      : position_(position),
        omega_(std::move(omega)),
        offsets_(std::move(offsets)),
        noise_(std::move(noise)),
        heads_(heads) {}

  std::int64_t position() const override { return position_; }

  SpeCodes next() override {
    // Same operations as SineSPE::codes_from_noise for a single position.
    const double n = static_cast<double>(position_++);
    torch::Tensor phase_k = omega_ * n;  // (H·D, K)
    torch::Tensor phase_q = phase_k + offsets_;
    const auto hd = omega_.size(0);
    if (noise_.device().is_cpu() && noise_.scalar_type() == torch::kFloat && noise_.is_contiguous()) {
      // The same products and order of additions, as one loop per side (no (H·D, 2K, R) temporary).
      const torch::Tensor basis = torch::stack({torch::cos(phase_q), torch::sin(phase_q), torch::cos(phase_k),
                                                torch::sin(phase_k)}, -1)
                                      .view({hd, omega_.size(1), 2, 2}).permute({2, 0, 1, 3}).contiguous();  // (2, H·D, K, 2)
      const auto terms = static_cast<std::size_t>(noise_.size(1)), columns = static_cast<std::size_t>(noise_.size(2));
      torch::Tensor out = torch::empty({2, heads_, hd / heads_, noise_.size(2)}, noise_.options());
      for (std::size_t side = 0; side < 2; ++side)
        cpu::project_sine_codes(basis.data_ptr<float>() + side * hd * terms, noise_.data_ptr<float>(),
                                out.data_ptr<float>() + side * hd * columns, static_cast<std::size_t>(hd), terms,
                                columns);
      return {out[0], out[1]};
    }
    auto project = [&](const torch::Tensor& phase) {
      // Interleaved [cos₁, sin₁, …] (H·D, 2K, 1) against the noise (H·D, 2K, R), reduced over 2K.
      torch::Tensor basis = torch::stack({torch::cos(phase), torch::sin(phase)}, -1).view({hd, -1, 1});
      return (basis * noise_).sum(1).view({heads_, hd / heads_, -1});
    };
    torch::Tensor q = project(phase_q);
    torch::Tensor k = project(phase_k);
    return {q, k};
  }

  std::unique_ptr<CodeStream> clone() const override { return std::make_unique<SineCodeStream>(*this); }

 private:
  std::int64_t position_;
  torch::Tensor omega_, offsets_, noise_;  // immutable once drawn: shared by clones
  int heads_;
};

// ------------------------------------------------------------------------------------------------ conv

class ConvCodeStream final : public CodeStream {
 public:
  ConvCodeStream(const ConvSPE& owner, std::int64_t start, int realizations, const NoiseContext& noise,
                 int generator_index)
      : position_(start),
        kernel_size_(owner.kernel_size()),
        heads_(owner.num_heads()),
        features_(owner.in_features()),
        realizations_(realizations),
        noise_(noise),
        generator_index_(generator_index) {
    const int k = kernel_size_;
    const auto options = owner.conv_q->weight.options();
    // (C, K, 2): column 0 filters Q̄ (conv_k), column 1 filters K̄ (conv_q) — the reference's naming swap.
    filters_ =
        torch::stack({owner.conv_k->weight.squeeze(1), owner.conv_q->weight.squeeze(1)}, -1).contiguous();
    const auto channels = filters_.size(0);
    window_ = torch::empty({channels, realizations, k}, options);
    torch::Tensor columns = owner.noise_columns(start + k, k, realizations, noise, generator_index, options);
    for (int j = 0; j < k; ++j) {
      const std::int64_t column = start + k + j;
      window_.select(2, column % k).copy_(columns[j].t());
    }
    scale_ = code_scale(realizations, owner.in_features());
  }

  std::int64_t position() const override { return position_; }

  SpeCodes next() override {
    const int k = kernel_size_;
    const std::int64_t t = position_;
    // Slot s holds column c ≡ s (mod K); the code of t weighs column t+K+j by w[j], i.e. slot s by
    // w[(s − t) mod K] = roll(w, t mod K)[s].
    torch::Tensor rotated = torch::roll(filters_, {t % k}, {1}).mul_(scale_);  // (C, K, 2)
    // Per channel an (R × K)·(K × 2) product for both sides at once; at these sizes bmm runs one BLAS
    // call per channel without dispatcher overhead and measured 2× faster than multiply + reduce.
    torch::Tensor out = torch::bmm(window_, rotated);  // (C, R, 2)
    SpeCodes codes{out.select(2, 0).reshape({heads_, features_, realizations_}),
                   out.select(2, 1).reshape({heads_, features_, realizations_})};
    // Column t+2K (first needed by position t+1) replaces column t+K, which no later position reads.
    torch::Tensor column = conv_noise_columns(t + 2 * k, 1, realizations_, heads_ * features_, noise_,
                                              generator_index_, window_.options());
    window_.select(2, t % k).copy_(column[0].t());
    ++position_;
    return codes;
  }

  std::unique_ptr<CodeStream> clone() const override {
    auto copy = std::make_unique<ConvCodeStream>(*this);
    copy->window_ = window_.clone();  // the ring buffer is the only mutable tensor
    return copy;
  }

 private:
  std::int64_t position_;
  int kernel_size_, heads_, features_;
  int realizations_;
  NoiseContext noise_;
  int generator_index_;
  torch::Tensor filters_, window_;
  double scale_ = 1.0;
};

}  // namespace

// ------------------------------------------------------------------------------------------------ SineSPE

SineSPE::SineSPE(int num_heads, int in_features, int num_sines)
    : SpeGenerator(num_heads, in_features), num_sines_(num_sines) {
  if (num_heads <= 0 || in_features <= 0 || num_sines <= 0)
    throw std::invalid_argument("SineSPE: heads, features and sines must be positive");
  freqs = register_parameter("freqs", torch::zeros({num_heads, in_features, num_sines}));
  offsets = register_parameter("offsets", torch::zeros({num_heads, in_features, num_sines}));
  gains = register_parameter("gains", torch::zeros({num_heads, in_features, num_sines}));
  at::Generator generator = at::detail::createCPUGenerator(0);
  reset_parameters(generator);
}

void SineSPE::reset_parameters(at::Generator& generator) {
  torch::NoGradGuard no_grad;
  const auto shape = freqs.sizes().vec();
  auto draw = [&] { return torch::randn(shape, generator, torch::TensorOptions().dtype(torch::kFloat64)); };
  torch::Tensor f = draw() - 4.0;  // bias towards low frequencies (long range)
  torch::Tensor o = draw();
  torch::Tensor g = draw();
  g = g / (torch::sqrt(g.norm(2, -1, /*keepdim=*/true)) / 2.0);
  freqs.copy_(f);
  offsets.copy_(o);
  gains.copy_(g);
}

torch::Tensor SineSPE::scaled_noise(int realizations, const NoiseContext& noise, int generator_index) const {
  const int h = num_heads_, d = in_features_, k = num_sines_;
  torch::Tensor z = noise.normal(NoiseStream::sine_code, static_cast<std::uint64_t>(generator_index),
                                 {h, d, 2 * k, realizations}, gains.options());
  torch::Tensor amplitude =
      torch::softplus(gains).unsqueeze(-1).expand({h, d, k, 2}).reshape({h, d, 2 * k, 1});
  const double scale = code_scale(realizations, d) / std::sqrt(2.0 * k);
  return (z * amplitude * scale).reshape({h * d, 2 * k, realizations});
}

SpeCodes SineSPE::codes_from_noise(std::int64_t begin, std::int64_t end,
                                   const torch::Tensor& scaled_noise) const {
  const int h = num_heads_, d = in_features_;
  const std::int64_t n = end - begin;
  torch::Tensor omega = torch::sigmoid(freqs) / 2.0 * (2.0 * std::numbers::pi);  // angular frequency (H,D,K)
  torch::Tensor positions = torch::arange(begin, end, freqs.options()).view({n, 1, 1, 1});
  torch::Tensor phase_k = omega.unsqueeze(0) * positions;  // (N,H,D,K)
  torch::Tensor phase_q = phase_k + offsets.unsqueeze(0);
  auto project = [&](const torch::Tensor& phase) {
    // Interleaved [cos₁, sin₁, cos₂, sin₂, …] on the last axis, then contract with the noise over 2K.
    torch::Tensor basis = torch::stack({torch::cos(phase), torch::sin(phase)}, -1).reshape({n, h * d, -1});
    torch::Tensor code = torch::bmm(basis.transpose(0, 1), scaled_noise);  // (H·D, N, R)
    return code.view({h, d, n, -1}).permute({2, 0, 1, 3}).contiguous();
  };
  return {project(phase_q), project(phase_k)};
}

SpeCodes SineSPE::codes(std::int64_t begin, std::int64_t end, int realizations, const NoiseContext& noise,
                        int generator_index) const {
  check_range(begin, end, realizations);
  return codes_from_noise(begin, end, scaled_noise(realizations, noise, generator_index));
}

std::unique_ptr<CodeStream> SineSPE::open_stream(std::int64_t start, int realizations,
                                                 const NoiseContext& noise, int generator_index) const {
  check_range(start, start, realizations);
  const int hd = num_heads_ * in_features_;
  torch::Tensor omega = (torch::sigmoid(freqs) / 2.0 * (2.0 * std::numbers::pi)).reshape({hd, num_sines_});
  return std::make_unique<SineCodeStream>(start, omega, offsets.reshape({hd, num_sines_}),
                                          scaled_noise(realizations, noise, generator_index), num_heads_);
}

torch::Tensor SineSPE::kernel(std::int64_t max_lag) const {
  torch::NoGradGuard no_grad;
  auto f = torch::sigmoid(freqs.to(torch::kCPU, torch::kFloat64)) / 2.0;
  auto theta = offsets.to(torch::kCPU, torch::kFloat64);
  auto lambda2 = torch::softplus(gains.to(torch::kCPU, torch::kFloat64)).pow(2);
  auto lags =
      torch::arange(0, max_lag + 1, torch::TensorOptions().dtype(torch::kFloat64)).view({-1, 1, 1, 1});
  auto phase = (2.0 * std::numbers::pi) * f.unsqueeze(0) * lags + theta.unsqueeze(0);  // (L,H,D,K)
  auto p = (lambda2.unsqueeze(0) * torch::cos(phase)).sum(-1) / (2.0 * num_sines_);    // (L,H,D)
  return p.permute({1, 2, 0}).contiguous();
}

// ------------------------------------------------------------------------------------------------ ConvSPE

ConvSPE::ConvSPE(int num_heads, int in_features, int kernel_size, ConvAlgorithm algorithm)
    : SpeGenerator(num_heads, in_features), kernel_size_(kernel_size), algorithm_(algorithm) {
  if (num_heads <= 0 || in_features <= 0 || kernel_size <= 0)
    throw std::invalid_argument("ConvSPE: heads, features and kernel size must be positive");
  const int channels = num_heads * in_features;
  auto options = torch::nn::Conv1dOptions(channels, channels, kernel_size).groups(channels).bias(false);
  conv_q = register_module("conv_q", torch::nn::Conv1d(options));
  conv_k = register_module("conv_k", torch::nn::Conv1d(options));
  at::Generator generator = at::detail::createCPUGenerator(0);
  reset_parameters(generator);
}

void ConvSPE::reset_parameters(at::Generator& generator) {
  torch::NoGradGuard no_grad;
  const double divisor = std::sqrt(kernel_size_ / 2.0);
  auto cpu64 = torch::TensorOptions().dtype(torch::kFloat64);
  torch::Tensor q = torch::empty(conv_q->weight.sizes(), cpu64).uniform_(0.0, 1.0, generator) / divisor;
  torch::Tensor k = torch::empty(conv_k->weight.sizes(), cpu64).uniform_(0.0, 1.0, generator) / divisor;
  conv_q->weight.copy_(q);
  conv_k->weight.copy_(k);
}

torch::Tensor ConvSPE::noise_columns(std::int64_t first, std::int64_t count, int realizations,
                                     const NoiseContext& noise, int generator_index,
                                     const torch::TensorOptions& options) const {
  return conv_noise_columns(first, count, realizations, num_heads_ * in_features_, noise, generator_index,
                            options);
}

std::int64_t fast_fft_size(std::int64_t n) {
  std::int64_t best = 1;
  while (best < n) best *= 2;
  for (std::int64_t power3 = 3; power3 < best; power3 *= 3) {
    std::int64_t size = power3;
    while (size < n) size *= 2;
    best = std::min(best, size);
  }
  return best;
}

torch::Tensor fft_valid_correlation(const torch::Tensor& z, const torch::Tensor& w) {
  if (w.dim() < 2 || z.dim() < 2 || z.size(-2) != w.size(-2) || z.size(-1) < w.size(-1))
    throw std::invalid_argument("fft_valid_correlation: expected z (…, C, L) and w (…, C, K) with K ≤ L");
  const std::int64_t k = w.size(-1), length = z.size(-1);
  const std::int64_t n = length - k + 1;
  // One transform of the whole range when it is short; otherwise blocks of ≈8K, near the minimum of the
  // FFT cost per output, (B·log B)/(B − K + 1).
  const std::int64_t block = std::min(fast_fft_size(length), fast_fft_size(8 * k));
  const std::int64_t step = block - k + 1;  // outputs per block: those whose window does not wrap around
  const std::int64_t blocks = (n + step - 1) / step;
  const std::int64_t padded = (blocks - 1) * step + block;
  torch::Tensor x = padded > length ? at::constant_pad_nd(z, {0, padded - length}) : z;
  torch::Tensor spectra = torch::fft::rfft(x.unfold(-1, block, step), block, -1);  // (…z, C, blocks, B/2+1)
  // Cross-correlation = product with the conjugate filter spectrum; the circular index t + j stays < B
  // for t < step, so the first `step` samples of each block are exact.
  auto filter_shape = w.sizes().vec();
  filter_shape.pop_back();
  filter_shape.pop_back();
  const auto leading_w = filter_shape;
  filter_shape.insert(filter_shape.end(), z.dim() - 2, 1);  // broadcast over z's leading axes
  filter_shape.push_back(w.size(-2));
  filter_shape.push_back(1);  // … and over the blocks
  filter_shape.push_back(block / 2 + 1);
  torch::Tensor filter = torch::fft::rfft(w, block, -1).conj().reshape(filter_shape);
  torch::Tensor out = torch::fft::irfft(spectra * filter, block, -1).narrow(-1, 0, step);
  auto shape = leading_w;
  shape.insert(shape.end(), z.sizes().begin(), z.sizes().end());
  shape.back() = blocks * step;
  return out.reshape(shape).narrow(-1, 0, n);
}

bool ConvSPE::uses_fft() const {
  switch (algorithm_) {
    case ConvAlgorithm::direct:
      return false;
    case ConvAlgorithm::fft:
      return true;
    case ConvAlgorithm::automatic:
      break;
  }
  return fft_is_faster(kernel_size_);
}

SpeCodes ConvSPE::codes(std::int64_t begin, std::int64_t end, int realizations, const NoiseContext& noise,
                        int generator_index) const {
  check_range(begin, end, realizations);
  const int k = kernel_size_, h = num_heads_, d = in_features_;
  const std::int64_t n = end - begin;
  const auto options = conv_q->weight.options();
  // Valid cross-correlation of columns [begin+K, end+2K−1): output t reads columns t+K … t+2K−1.
  torch::Tensor z = noise_columns(begin + k, n + k - 1, realizations, noise, generator_index, options)
                        .permute({1, 2, 0})
                        .contiguous();  // (R, C, L)
  // The code scale is folded into the (small) filters rather than applied to the (N, H, D, R) codes, as
  // the generation stream does: one pass less over the codes.
  const double scale = code_scale(realizations, d);
  auto arrange = [&](const torch::Tensor& out) {  // (R, C, N) → (N, H, D, R)
    return out.reshape({realizations, h, d, n}).permute({3, 1, 2, 0}).contiguous();
  };
  if (n > 0 && uses_fft()) {
    // Both filters against one transform of the noise.
    torch::Tensor weights =
        torch::stack({conv_k->weight.squeeze(1), conv_q->weight.squeeze(1)}) * scale;  // (2, C, K)
    torch::Tensor out = fft_valid_correlation(z, weights);                             // (2, R, C, N)
    return {arrange(out[0]), arrange(out[1])};
  }
  auto direct = [&](const torch::Tensor& weight) {
    return arrange(at::conv1d(z, weight * scale, torch::Tensor(), at::IntArrayRef{1}, at::IntArrayRef{0},
                              at::IntArrayRef{1}, h * d));
  };
  return {direct(conv_k->weight), direct(conv_q->weight)};
}

std::unique_ptr<CodeStream> ConvSPE::open_stream(std::int64_t start, int realizations,
                                                 const NoiseContext& noise, int generator_index) const {
  check_range(start, start, realizations);
  return std::make_unique<ConvCodeStream>(*this, start, realizations, noise, generator_index);
}

torch::Tensor ConvSPE::kernel(std::int64_t max_lag) const {
  torch::NoGradGuard no_grad;
  const int k = kernel_size_;
  torch::Tensor a = conv_k->weight.to(torch::kCPU, torch::kFloat64).squeeze(1);  // makes Q̄
  torch::Tensor b = conv_q->weight.to(torch::kCPU, torch::kFloat64).squeeze(1);  // makes K̄
  torch::Tensor p = torch::zeros({a.size(0), max_lag + 1}, a.options());
  for (std::int64_t lag = 0; lag <= max_lag && lag < k; ++lag)
    p.select(1, lag).copy_((a.narrow(1, 0, k - lag) * b.narrow(1, lag, k - lag)).sum(1));
  return p.view({num_heads_, in_features_, max_lag + 1});
}

}  // namespace spe::model
