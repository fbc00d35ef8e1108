#pragma once
// DecoderStepPlan: a dedicated inference path for the recurrent step of a PerformerLM, numerically the
// same as PerformerLM::step (≤1e-5 relative in float32) but with far fewer and cheaper ops per layer:
//   * Q, K, V in one fused (3d × d) product (addmv at batch 1: no sgemm weight repacking), every weight
//     matrix stored column-major (gemv "N");
//   * the SPE filter of both queries and keys as one multiply + reduce against the gated codes of the position;
//   * FAVOR+ as one product against [ω, −ω]·d^(-1/4) followed by one offset and one exp;
//   * the attention state stored augmented, S' = [S | z] (F × (E+1) per head), so the update S += φk·[v, 1]ᵀ
//     is one addcmul_ and the read-out φqᵀ·S' (numerator and denominator together) one multiply + reduce
//     (CPU bmm on per-head vector products loops over heads with several dispatches each);
//   * every intermediate in buffers preallocated per state, written through out= variants.
// Memory: the plan keeps column-major copies of the four big matrices of every layer (fused QKV, out,
// linear1, linear2) and of the output head — the layout OpenBLAS's gemv streams fastest — or, with
// bf16_weights, padded BF16 copies of the four; everything else (norms, biases, embedding, SPE) aliases the
// model's parameters, so the model must outlive the plan and must not be moved to another device after.
// Includes performer.hpp (LibTorch module headers), like every model header that names the model.

#include <cstdint>
#include <memory>
#include <vector>

#include <ATen/core/Tensor.h>

#include "model/cpu/bf16_gemv.hpp"
#include "model/noise_context.hpp"
#include "model/performer.hpp"

namespace spe::model {

// A generation state in the plan's layout: the model's GenerationState (codes, gates, ω, position) with
// the attention state held augmented as S' = [S | z] (B·H, F, E+1) and the per-sequence constants and
// scratch buffers the plan needs. Move-only (a copy would share the tensors): DecoderStepPlan::copy makes
// an independent one, snapshot() one in the model's layout.
struct StepPlanState {
  StepPlanState() = default;
  StepPlanState(StepPlanState&&) noexcept = default;
  StepPlanState& operator=(StepPlanState&&) noexcept = default;
  StepPlanState(const StepPlanState&) = delete;
  StepPlanState& operator=(const StepPlanState&) = delete;

  GenerationState base;             // its `attention` is left empty: the plan keeps S' instead
  std::vector<at::Tensor> kv;       // per layer, (B·H, F, E+1)
  std::vector<at::Tensor> favor;    // per layer, d^(-1/4)·[ω, −ω] (query dim, F); undefined without FAVOR+
  // Scratch (shapes in step_plan.cpp), reused by every step.
  std::vector<at::Tensor> buffers;
  // F32 on the CPU: SPE and the attention update run as our loops (model/cpu/attention_step.hpp), the
  // ATen fallback's temporaries are not allocated. Decided once, when the state is adopted.
  bool cpu_loops = false;

  std::int64_t position() const { return base.position; }
  std::int64_t batch() const { return base.batch; }
};

struct StepPlanOptions {
  // Keep the four big matrices of every layer (fused QKV, out, linear1, linear2) as BF16 copies and
  // multiply them with our own kernel (model/cpu/bf16_gemv.hpp: AVX-512 BF16 or its portable twin, same
  // sums), the layer inputs rounded to BF16, the sums, biases, residuals, norms, SPE, features, attention
  // states and the output head in F32. Halves the bytes streamed per token; logits then differ from
  // PerformerLM::step by the BF16 rounding of weights and layer inputs (tested), not by round-off.
  bool bf16_weights = false;
  cpu::Bf16Kernel bf16_kernel = cpu::Bf16Kernel::automatic;
};

// Whether BF16 weights make this model's batch-1 step faster here: the CPU has AVX-512 BF16 and the
// F32 matrices outgrow a core's L2 cache (> 2 MiB), so every token streams them from L3 or memory, where
// half the bytes is faster (docs/results/bench-cpu.md: the pop config and the bundled models); a model that
// fits in L2 (the tests' tiny ones) gains nothing and keeps F32's exactness.
bool bf16_step_pays_off(const PerformerLM& model);

// Bytes of the matrices one batch-1 step reads per token: per layer the fused QKV, O and the two
// feed-forward matrices, at bytes_per_weight each; the output head is not included.
double step_matrix_bytes(const ModelConfig& config, double bytes_per_weight);

class DecoderStepPlan {
 public:
  explicit DecoderStepPlan(const PerformerLM& model, const StepPlanOptions& options = {});
  ~DecoderStepPlan();
  DecoderStepPlan(const DecoderStepPlan&) = delete;
  DecoderStepPlan& operator=(const DecoderStepPlan&) = delete;

  const PerformerLM& model() const { return model_; }
  const StepPlanOptions& options() const { return options_; }

  // Takes over a state made by model.begin_sequence (at any position, possibly already advanced by
  // model.step): the attention states are converted, the code streams and gates are moved in.
  StepPlanState adopt(GenerationState state) const;
  // The model's layout again (for PerformerLM::step, snapshots, expand/select).
  GenerationState release(StepPlanState state) const;
  // The same as release() of a copy, leaving `state` as it was: a snapshot in the model's layout (code
  // streams and attention states copied, nothing shared with `state`).
  GenerationState snapshot(const StepPlanState& state) const;
  // An independent copy in the plan's layout (the same as adopt(snapshot(state)), without the round trip
  // through the model's layout): rewind points and re-rolls.
  StepPlanState copy(const StepPlanState& state) const;

  // tokens (B) int64 → logits (B, V); advances the state by one position. The returned tensor is a
  // fresh tensor (not a buffer), so it stays valid after the next step.
  at::Tensor step(StepPlanState& state, const at::Tensor& tokens) const;

 private:
  struct Weights;
  void allocate_buffers(StepPlanState& state) const;  // the scratch of state's batch, and cpu_loops
  const PerformerLM& model_;
  StepPlanOptions options_;
  std::unique_ptr<Weights> weights_;
};

// Stores every Linear weight of `model` column-major (same values, transposed strides): a plan built
// afterwards aliases them instead of copying (≈230 MB less for the pop model), and PerformerLM::step's
// addmv gets the faster gemv "N" too. Forward/step results are unchanged up to summation order.
void store_weights_column_major(PerformerLM& model);

// A state for `model` whose next token is at `position`, as cheap to step as one reached by `position`
// real steps: the SPE code streams are opened at `position` (exactly the codes a sequence has there),
// absolute positional rows are read at `position`, and the attention states hold `fill` in S and F·fill
// in z — the costs of a step do not depend on the values of S and z (dense products), only on the shapes.
// Used by `spe bench` to measure far positions without generating thousands of tokens first.
GenerationState begin_sequence_at(const PerformerLM& model, std::int64_t batch, const NoiseContext& noise,
                                  std::int64_t position, double fill = 1e-3);

}  // namespace spe::model
