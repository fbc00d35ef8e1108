#pragma once
// Positional templates of an SPE model (SPE.md §1, §6.1): the prescribed kernel P_hd(δ) — analytic for
// SineSPE ((1/2K)·Σ_k λ²·cos(2πfδ + θ)), the filter cross-correlation for ConvSPE, blended with the gate
// as (1−g)·P + g when gated — and its Monte-Carlo estimate from R code realisations,
//   P̂_hd(δ) = sqrt(D/R) · Σ_r Q̃[n0+δ,h,d,r] · K̃[n0,h,d,r]   (undoing the (R·D)^(-1/4) scaling),
// for lags δ = 0 … max_lag with the key at position n0 (default 0; larger n0 checks extrapolation).
// The relative Frobenius error ‖P̂ − P‖/‖P‖ behaves as c/sqrt(R) (≈0.31 at R = 64 for sine K = 5).
// Torch-free header: tensors stay in kernels.cpp / kernel_tensors.hpp.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace spe::model {

class PerformerLM;

struct KernelOptions {
  int realizations = 0;        // R of the estimate; 0 = the model's R
  std::int64_t max_lag = 128;  // lags 0 … max_lag
  std::uint64_t seed = 0;      // NoiseContext seed of the estimate
  int layer = 0;               // whose filter/gate (and, without share_pe, whose generator)
  bool apply_gate = true;      // use the layer's gate when the model is gated
  std::int64_t key_position = 0;
};

struct KernelReport {
  std::string pe;  // "sine_spe" | "conv_spe"
  int heads = 0, dims = 0;
  std::int64_t max_lag = 0, key_position = 0;
  int realizations = 0;
  bool gated = false;                 // whether the gate was applied
  std::vector<double> prescribed;     // (heads, dims, max_lag + 1), row-major
  std::vector<double> estimated;      // same layout
  double rel_error = 0.0;             // ‖P̂ − P‖_F / ‖P‖_F over all heads, dims and lags

  double prescribed_at(int h, int d, std::int64_t lag) const { return prescribed[index(h, d, lag)]; }
  double estimated_at(int h, int d, std::int64_t lag) const { return estimated[index(h, d, lag)]; }
  std::size_t index(int h, int d, std::int64_t lag) const {
    return (static_cast<std::size_t>(h) * dims + d) * (max_lag + 1) + lag;
  }
};

// Throws std::invalid_argument when the model has no SPE or an option is out of range.
KernelReport kernel_report(const PerformerLM& model, const KernelOptions& options);

// Summary {"pe","realizations","max_lag","key_position","gated","heads","dims","rel_error"} plus, when
// `with_templates`, "prescribed" and "estimated" as [head][dim][lag] arrays.
nlohmann::json to_json(const KernelReport& report, bool with_templates);

}  // namespace spe::model
