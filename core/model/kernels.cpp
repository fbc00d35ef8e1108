#include "model/kernels.hpp"

#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "model/kernel_tensors.hpp"
#include "model/performer.hpp"

namespace spe::model {

torch::Tensor prescribed_kernel(const SpeGenerator& generator, const SPEFilter* filter, std::int64_t max_lag) {
  torch::NoGradGuard no_grad;
  torch::Tensor p = generator.kernel(max_lag);
  if (filter && filter->gated()) {
    torch::Tensor g = torch::sigmoid(filter->gate.to(torch::kCPU, torch::kFloat64)).unsqueeze(-1);
    p = (1.0 - g) * p + g;
  }
  return p;
}

torch::Tensor estimated_kernel(const SpeGenerator& generator, const SPEFilter* filter, int realizations,
                               std::int64_t max_lag, const NoiseContext& noise, int generator_index, int layer,
                               std::int64_t key_position) {
  torch::NoGradGuard no_grad;
  SpeCodes codes = generator.codes(key_position, key_position + max_lag + 1, realizations, noise, generator_index);
  torch::Tensor q = codes.q.to(torch::kCPU, torch::kFloat64);  // (L+1, H, D, R)
  torch::Tensor k = codes.k.select(0, 0).to(torch::kCPU, torch::kFloat64);  // key at key_position: (H, D, R)
  if (filter && filter->gated()) {
    GateTerms gate = filter->gate_terms(noise, layer, realizations);
    GateTerms gate64{gate.code_scale.to(torch::kCPU, torch::kFloat64), gate.noise_term.to(torch::kCPU, torch::kFloat64)};
    q = SPEFilter::mix(q, gate64);
    k = SPEFilter::mix(k, gate64);
  }
  const double scale = std::sqrt(static_cast<double>(generator.in_features()) / realizations);
  return ((q * k.unsqueeze(0)).sum(-1) * scale).permute({1, 2, 0}).contiguous();  // (H, D, L+1)
}

double relative_error(const torch::Tensor& estimate, const torch::Tensor& reference) {
  return ((estimate - reference).norm() / reference.norm()).item<double>();
}

KernelReport kernel_report(const PerformerLM& model, const KernelOptions& options) {
  const ModelConfig& config = model.config();
  if (!config.uses_spe())
    throw std::invalid_argument("kernels: the model uses " + to_string(config.pe) + ", which has no SPE kernel");
  if (options.max_lag < 0) throw std::invalid_argument("kernels: --max-lag must be non-negative");
  if (options.realizations < 0) throw std::invalid_argument("kernels: --realizations must be positive");
  if (options.layer < 0 || options.layer >= config.n_layers)
    throw std::invalid_argument("kernels: layer " + std::to_string(options.layer) + " does not exist (model has " +
                                std::to_string(config.n_layers) + ")");
  if (options.key_position < 0) throw std::invalid_argument("kernels: key position must be non-negative");
  const SpeDecoder& decoder = *model.transformer_decoder;
  const SpeGenerator& generator = *decoder.generator_for(options.layer);
  const SPEFilter* filter = options.apply_gate ? &decoder.filter(options.layer) : nullptr;

  KernelReport report;
  report.pe = to_string(config.pe);
  report.heads = config.n_heads;
  report.dims = config.head_dim();
  report.max_lag = options.max_lag;
  report.key_position = options.key_position;
  report.realizations = options.realizations > 0 ? options.realizations : config.spe.realizations;
  report.gated = filter && filter->gated();
  torch::Tensor p = prescribed_kernel(generator, filter, options.max_lag);
  torch::Tensor e = estimated_kernel(generator, filter, report.realizations, options.max_lag,
                                     NoiseContext(options.seed), decoder.generator_index(options.layer),
                                     options.layer, options.key_position);
  report.rel_error = relative_error(e, p);
  report.prescribed.assign(p.data_ptr<double>(), p.data_ptr<double>() + p.numel());
  torch::Tensor ec = e.contiguous();
  report.estimated.assign(ec.data_ptr<double>(), ec.data_ptr<double>() + ec.numel());
  return report;
}

nlohmann::json to_json(const KernelReport& report, bool with_templates) {
  nlohmann::json out = {{"pe", report.pe},           {"realizations", report.realizations},
                        {"max_lag", report.max_lag}, {"key_position", report.key_position},
                        {"gated", report.gated},     {"heads", report.heads},
                        {"dims", report.dims},       {"rel_error", report.rel_error}};
  if (with_templates) {
    auto nested = [&](const std::vector<double>& values) {
      nlohmann::json heads = nlohmann::json::array();
      for (int h = 0; h < report.heads; ++h) {
        nlohmann::json dims = nlohmann::json::array();
        for (int d = 0; d < report.dims; ++d) {
          const auto begin = values.begin() + static_cast<std::ptrdiff_t>(report.index(h, d, 0));
          dims.push_back(std::vector<double>(begin, begin + report.max_lag + 1));
        }
        heads.push_back(std::move(dims));
      }
      return heads;
    };
    out["prescribed"] = nested(report.prescribed);
    out["estimated"] = nested(report.estimated);
  }
  return out;
}

}  // namespace spe::model
