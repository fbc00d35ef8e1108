#include "model/feature_maps.hpp"

#include <cmath>
#include <functional>
#include <stdexcept>

#include <torch/torch.h>

namespace spe::model {

FeatureMap::FeatureMap(FeatureMapConfig config, int input_dim) : config_(config), input_dim_(input_dim) {
  if (input_dim <= 0) throw std::invalid_argument("feature map: input dimension must be positive");
  if (config_.kind == FeatureMapKind::favor && (config_.n_features <= 0 || config_.n_features % 2 != 0))
    throw std::invalid_argument("feature map: FAVOR+ needs a positive even number of features");
}

int FeatureMap::output_dim() const {
  return config_.kind == FeatureMapKind::favor ? config_.n_features : input_dim_;
}

torch::Tensor orthogonal_gaussian_projection(int input_dim, int columns,
                                             const std::function<torch::Tensor(int block)>& normals) {
  std::vector<torch::Tensor> blocks;
  for (int done = 0, b = 0; done < columns; ++b) {
    const int take = std::min(input_dim, columns - done);
    torch::Tensor g = normals(b);                       // (d, d) double
    torch::Tensor row_norms = g.norm(2, /*dim=*/1);     // s_i = ‖row i of G‖
    torch::Tensor q = std::get<0>(at::linalg_qr(g, "reduced"));
    blocks.push_back(q.narrow(1, 0, take) * row_norms.narrow(0, 0, take).unsqueeze(0));
    done += take;
  }
  return torch::cat(blocks, 1);
}

torch::Tensor FeatureMap::draw(const NoiseContext& noise, int layer, const torch::TensorOptions& options) const {
  if (config_.kind != FeatureMapKind::favor) return {};
  const int columns = config_.n_features / 2;
  const auto cpu64 = torch::TensorOptions().dtype(torch::kFloat64);
  // Each layer owns a range of 2^20 block indices of the favor stream.
  const std::uint64_t base = static_cast<std::uint64_t>(layer) << 20;
  torch::Tensor omega;
  if (config_.orthogonal) {
    omega = orthogonal_gaussian_projection(input_dim_, columns, [&](int block) {
      return noise.normal(NoiseStream::favor, base + static_cast<std::uint64_t>(block), {input_dim_, input_dim_}, cpu64);
    });
  } else {
    omega = noise.normal(NoiseStream::favor, base, {input_dim_, columns}, cpu64);
  }
  return omega.to(options);
}

torch::Tensor FeatureMap::apply(const torch::Tensor& x, const torch::Tensor& omega) const {
  switch (config_.kind) {
    case FeatureMapKind::relu: return torch::relu(x);
    case FeatureMapKind::elu: return torch::elu(x) + 1.0;
    case FeatureMapKind::favor: break;
  }
  const double scale = std::pow(static_cast<double>(input_dim_), -0.25);  // sqrt(softmax_temp), temp = d^-1/2
  torch::Tensor xs = x * scale;
  torch::Tensor u = torch::matmul(xs, omega);
  torch::Tensor offset = xs.pow(2).sum(-1, /*keepdim=*/true) * 0.5 + 0.5 * std::log(static_cast<double>(config_.n_features));
  return torch::cat({torch::exp(u - offset), torch::exp(-u - offset)}, -1);
}

}  // namespace spe::model
