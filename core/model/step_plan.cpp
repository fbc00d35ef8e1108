#include "model/step_plan.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include <c10/core/InferenceMode.h>
#include <torch/torch.h>

#include "model/cpu/attention_step.hpp"
#include "model/cpu/spe_codes.hpp"

namespace spe::model {

namespace {

using at::Tensor;

// Scratch buffers of a StepPlanState, by index into StepPlanState::buffers. Views of the buffers are
// stored as well, so that a step dispatches compute ops only (a view costs a dispatch too).
enum Buffer : std::size_t {
  kX,          // (B, d) residual stream
  kXRow,       // (d) view of kX (batch 1)
  kQkv,        // (B, 3d)
  kQkvRow,     // (3d) view
  kQkIn,       // (2H, B, D) queries and keys, head-major, for the SPE contraction
  kQkIn4,      // view (2H, B, D, 1) (not F32 on the CPU)
  kMixed4,     // view (2H, 1, D, R) of kMixed (not F32 on the CPU)
  kSpeTmp,     // (2H, B, D, R) products before the sum over D (not F32 on the CPU)
  kQkvQk,      // view of kQkv as (2, H, B, D) (permuted when B > 1)
  kMixed,      // (2H, D, R) gated codes of the current layer (SPE)
  kMixedQ,     // view (H, D, R) — first half
  kMixedK,     // view (H, D, R) — second half
  kQkHat,      // (2H, B, R) SPE-filtered queries and keys
  kFeatIn,     // (2, B, H, Q) feature-map input, batch-major
  kFeatSrc,    // view feeding kFeatIn: (2, B, H, Q) of kQkHat or kQkv
  kFeatRows,   // (2·B·H, 1, Q) view of kFeatIn for the squared-norm bmm
  kFeatCols,   // (2·B·H, Q, 1) view
  kFeat2d,     // (2·B·H, Q) view
  kPhi,        // (2·B·H, F) features φ of queries then keys
  kSqNorm,     // (2·B·H, 1, 1) → broadcast as (2·B·H, 1) offset
  kSqNorm2d,   // view (2·B·H, 1)
  kOffset,     // (2·B·H, 1, 1) constant ½·ln F
  kPhiQ,       // view (B·H, F, 1)
  kAttTmp,     // (B·H, F, E+1) φq ⊙ S' before the sum over F (not F32 on the CPU)
  kPhiK,       // view (B·H, F, 1)
  kVAug,       // (B·H, 1, E+1) value with a trailing 1
  kVAugDst,    // view (B, H, 1, E) of kVAug
  kVSrc,       // view (B, H, 1, E) of kQkv
  kRead,       // (B·H, 1, E+1) Σ_F φq ⊙ S'
  kNum,        // view (B·H, 1, E)
  kDen,        // view (B·H, 1, 1)
  kAtt,        // (B·H, 1, E) attention output
  kAtt2d,      // view (B, d)
  kAttRow,     // view (d)
  kProj,       // (B, d)
  kProjRow,
  kHidden,     // (B, d_ff)
  kHiddenRow,
  kFf,         // (B, d)
  kFfRow,
  kX16,        // (B, d padded) BF16 residual stream: the input of QKV and linear1 (bf16_weights)
  kAtt16,      // (B, d padded) BF16 attention output: the input of the out projection
  kHidden16,   // (B, d_ff padded) BF16 hidden layer: the input of linear2
  kBufferCount
};

}  // namespace

// A weight matrix for the BF16 kernel: (out, in) rows padded to a multiple of 32 columns.
struct Bf16Matrix {
  Tensor storage;  // kBFloat16 (out, padded in): the kernel reads its bits
  cpu::Bf16MatrixView view;
};

struct DecoderStepPlan::Weights {
  struct Layer {
    Tensor qkv_w, qkv_b;  // fused (3d, d), (3d): rows q, k, v
    Bf16Matrix qkv16, out16, w1_16, w2_16;  // bf16_weights
    Tensor out_w, out_b, w1, b1, w2, b2, norm1_w, norm1_b, norm2_w, norm2_b;
    double norm1_eps = 1e-5, norm2_eps = 1e-5;
  };
  std::vector<Layer> layers;
  Tensor emb, head_w, head_b;
  double emb_scale = 1.0;
};

namespace {

// y = x·Wᵀ + b into `out`. One row: addmv on the 1-D views (TOOLCHAIN.md pitfall 3).
void affine(const Tensor& out, const Tensor& out_row, const Tensor& x, const Tensor& x_row, const Tensor& w,
            const Tensor& b) {
  if (out_row.defined()) {
    at::addmv_out(const_cast<Tensor&>(out_row), b, w, x_row);
  } else {
    at::addmm_out(const_cast<Tensor&>(out), b, x, w.t());
  }
}

cpu::bf16_t* bf16_data(const Tensor& t) { return reinterpret_cast<cpu::bf16_t*>(t.data_ptr<at::BFloat16>()); }

Bf16Matrix to_bf16_matrix(const Tensor& w) {
  const Tensor f = w.to(at::kFloat).contiguous();
  const auto rows = static_cast<std::size_t>(f.size(0)), cols = static_cast<std::size_t>(f.size(1));
  Bf16Matrix m;
  m.storage = torch::empty({f.size(0), static_cast<std::int64_t>(cpu::padded_columns(cols))}, torch::kBFloat16);
  const float* src = f.data_ptr<float>();
  cpu::bf16_t* dst = bf16_data(m.storage);
  for (std::size_t r = 0; r < rows; ++r) cpu::round_to_bf16(src + r * cols, cols, dst + r * cpu::padded_columns(cols));
  m.view = {dst, rows, cols};
  return m;
}

// Row-wise LayerNorm of `rows` × d F32 values into `out` (may alias `x`) and their BF16 rounding into
// `out16` (row stride padded d): the next product's input, so no separate rounding pass.
void layer_norm_rows(const float* x, std::size_t rows, std::size_t d, const Tensor& weight, const Tensor& bias,
                     double eps, float* out, cpu::bf16_t* out16) {
  const float* g = weight.data_ptr<float>();
  const float* b = bias.data_ptr<float>();
  const std::size_t ld16 = cpu::padded_columns(d);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* in = x + r * d;
    double mean = 0.0, var = 0.0;
    for (std::size_t i = 0; i < d; ++i) mean += in[i];
    mean /= static_cast<double>(d);
    for (std::size_t i = 0; i < d; ++i) var += (in[i] - mean) * (in[i] - mean);
    const double inv = 1.0 / std::sqrt(var / static_cast<double>(d) + eps);
    float* o = out + r * d;
    for (std::size_t i = 0; i < d; ++i) o[i] = static_cast<float>((in[i] - mean) * inv) * g[i] + b[i];
    cpu::round_to_bf16(o, d, out16 + r * ld16);
  }
}

// Whether a step on buffers like `x` runs the per-head contractions as our loops (model/cpu/attention_step).
bool uses_cpu_loops(const Tensor& x) { return x.device().is_cpu() && x.scalar_type() == at::kFloat; }

// The same (out, in) matrix stored column-major: addmv then runs OpenBLAS sgemv "N", which streams the
// weights ≈25 % faster than the "T" kernel a row-major matrix gets (measured on the CI machine, 1 thread).
Tensor column_major(const Tensor& w) { return w.t().contiguous().t(); }

}  // namespace

DecoderStepPlan::DecoderStepPlan(const PerformerLM& model, const StepPlanOptions& options)
    : model_(model), options_(options), weights_(std::make_unique<Weights>()) {
  c10::InferenceMode guard;
  if (options_.bf16_weights) {
    const Tensor& head = model.dec_out_proj->weight;
    if (!head.device().is_cpu() || head.scalar_type() != at::kFloat)
      throw std::invalid_argument("DecoderStepPlan: BF16 weights need a float32 model on the CPU");
    cpu::resolve(options_.bf16_kernel);  // a kernel this CPU lacks fails here, not at the first step
  }
  const SpeDecoder& decoder = *model.transformer_decoder;
  for (int l = 0; l < decoder.num_layers(); ++l) {
    const DecoderLayer& layer = decoder.layer(l);
    const AttentionLayer& attn = *layer.attention;
    Weights::Layer w;
    w.qkv_w = column_major(
        torch::cat({attn.query_projection->weight, attn.key_projection->weight, attn.value_projection->weight}, 0));
    w.qkv_b = torch::cat({attn.query_projection->bias, attn.key_projection->bias, attn.value_projection->bias}, 0)
                  .contiguous();
    w.out_w = column_major(attn.out_projection->weight);
    w.out_b = attn.out_projection->bias;
    w.w1 = column_major(layer.linear1->weight);
    w.b1 = layer.linear1->bias;
    w.w2 = column_major(layer.linear2->weight);
    w.b2 = layer.linear2->bias;
    w.norm1_w = layer.norm1->weight;
    w.norm1_b = layer.norm1->bias;
    w.norm2_w = layer.norm2->weight;
    w.norm2_b = layer.norm2->bias;
    w.norm1_eps = layer.norm1->options.eps();
    w.norm2_eps = layer.norm2->options.eps();
    if (options_.bf16_weights) {
      w.qkv16 = to_bf16_matrix(w.qkv_w);
      w.out16 = to_bf16_matrix(w.out_w);
      w.w1_16 = to_bf16_matrix(w.w1);
      w.w2_16 = to_bf16_matrix(w.w2);
      w.qkv_w = w.out_w = w.w1 = w.w2 = Tensor();  // only the BF16 copies are kept
    }
    weights_->layers.push_back(std::move(w));
  }
  weights_->emb = model.token_emb->emb_lookup->weight;
  weights_->emb_scale = model.token_emb->scale();
  weights_->head_w = column_major(model.dec_out_proj->weight);
  weights_->head_b = model.dec_out_proj->bias;
}

DecoderStepPlan::~DecoderStepPlan() = default;

StepPlanState DecoderStepPlan::adopt(GenerationState state) const {
  const ModelConfig& config = model_.config();
  if (state.attention.size() != static_cast<std::size_t>(config.n_layers))
    throw std::invalid_argument("DecoderStepPlan: the state was not made by begin_sequence for this model");
  c10::InferenceMode guard;
  const std::int64_t b = state.batch, h = config.n_heads, e = config.head_dim();
  const std::int64_t q = config.query_dim(), f = model_.feature_map().output_dim();

  StepPlanState out;
  for (std::size_t l = 0; l < state.attention.size(); ++l) {
    const LinearAttentionState& s = state.attention[l];
    out.kv.push_back(torch::cat({s.S, s.z.unsqueeze(-1)}, -1).reshape({b * h, f, e + 1}).contiguous());
    if (model_.feature_map().kind() == FeatureMapKind::favor) {
      const double scale = std::pow(static_cast<double>(q), -0.25);  // FeatureMap::apply's d^(-1/4)
      out.favor.push_back((torch::cat({state.omega[l], -state.omega[l]}, 1) * scale).contiguous());
    }
  }
  state.attention.clear();
  out.base = std::move(state);
  allocate_buffers(out);
  return out;
}

StepPlanState DecoderStepPlan::copy(const StepPlanState& state) const {
  c10::InferenceMode guard;
  StepPlanState out;
  out.base = state.base;  // deep copy of the code streams; its attention is empty in the plan
  for (const Tensor& kv : state.kv) out.kv.push_back(kv.clone());
  out.favor = state.favor;  // fixed for the sequence: shared
  allocate_buffers(out);
  return out;
}

void DecoderStepPlan::allocate_buffers(StepPlanState& out) const {
  const ModelConfig& config = model_.config();
  const std::int64_t b = out.base.batch, h = config.n_heads, e = config.head_dim(), d = config.d_model;
  const std::int64_t q = config.query_dim(), f = model_.feature_map().output_dim();
  const auto options = weights_->head_w.options();
  const bool cpu_f32 = uses_cpu_loops(weights_->head_w);  // the step's temporaries are needed otherwise only
  out.cpu_loops = cpu_f32;

  std::vector<Tensor>& buf = out.buffers;
  buf.resize(kBufferCount);
  const bool one_row = b == 1;
  auto row = [&](Buffer full) { return one_row ? buf[full].view({-1}) : Tensor(); };
  buf[kX] = torch::empty({b, d}, options);
  buf[kXRow] = row(kX);
  buf[kQkv] = torch::empty({b, 3 * d}, options);
  buf[kQkvRow] = row(kQkv);
  Tensor qkv4 = buf[kQkv].view({b, 3, h, e});
  buf[kQkvQk] = qkv4.narrow(1, 0, 2).permute({1, 2, 0, 3});  // (2, H, B, D)
  if (config.uses_spe()) {
    const std::int64_t r = config.spe.realizations;
    buf[kQkIn] = one_row ? buf[kQkvQk].view({2 * h, 1, e}) : torch::empty({2 * h, b, e}, options);
    buf[kMixed] = torch::empty({2 * h, e, r}, options);
    buf[kMixedQ] = buf[kMixed].narrow(0, 0, h);
    buf[kMixedK] = buf[kMixed].narrow(0, h, h);
    buf[kQkHat] = torch::empty({2 * h, b, r}, options);
    if (!cpu_f32) {
      buf[kQkIn4] = buf[kQkIn].view({2 * h, b, e, 1});
      buf[kMixed4] = buf[kMixed].view({2 * h, 1, e, r});
      buf[kSpeTmp] = torch::empty({2 * h, b, e, r}, options);
    }
    buf[kFeatSrc] = buf[kQkHat].view({2, h, b, r}).permute({0, 2, 1, 3});
  } else {
    buf[kFeatSrc] = qkv4.narrow(1, 0, 2).permute({1, 0, 2, 3});  // (2, B, H, D)
  }
  buf[kFeatIn] = one_row ? buf[kFeatSrc] : torch::empty({2, b, h, q}, options);
  buf[kFeatRows] = buf[kFeatIn].view({2 * b * h, 1, q});
  buf[kFeatCols] = buf[kFeatIn].view({2 * b * h, q, 1});
  buf[kFeat2d] = buf[kFeatIn].view({2 * b * h, q});
  buf[kPhi] = torch::empty({2 * b * h, f}, options);
  buf[kSqNorm] = torch::empty({2 * b * h, 1, 1}, options);
  buf[kSqNorm2d] = buf[kSqNorm].view({2 * b * h, 1});
  buf[kOffset] = torch::full({2 * b * h, 1, 1}, 0.5 * std::log(static_cast<double>(f)), options);
  buf[kPhiQ] = buf[kPhi].narrow(0, 0, b * h).view({b * h, f, 1});
  if (!cpu_f32) buf[kAttTmp] = torch::empty({b * h, f, e + 1}, options);
  buf[kPhiK] = buf[kPhi].narrow(0, b * h, b * h).view({b * h, f, 1});
  buf[kVAug] = torch::ones({b * h, 1, e + 1}, options);
  buf[kVAugDst] = buf[kVAug].view({b, h, 1, e + 1}).narrow(3, 0, e);
  buf[kVSrc] = qkv4.select(1, 2).unsqueeze(2);  // (B, H, 1, E)
  buf[kRead] = torch::empty({b * h, 1, e + 1}, options);
  buf[kNum] = buf[kRead].narrow(2, 0, e);
  buf[kDen] = buf[kRead].narrow(2, e, 1);
  buf[kAtt] = torch::empty({b * h, 1, e}, options);
  buf[kAtt2d] = buf[kAtt].view({b, d});
  buf[kAttRow] = row(kAtt);
  buf[kProj] = torch::empty({b, d}, options);
  buf[kProjRow] = row(kProj);
  buf[kHidden] = torch::empty({b, config.d_ff}, options);
  buf[kHiddenRow] = row(kHidden);
  buf[kFf] = torch::empty({b, d}, options);
  buf[kFfRow] = row(kFf);
  if (options_.bf16_weights) {  // zero-filled: the kernel reads the padding columns
    const auto bf16 = options.dtype(at::kBFloat16);
    const auto padded = [](std::int64_t n) { return static_cast<std::int64_t>(cpu::padded_columns(n)); };
    buf[kX16] = torch::zeros({b, padded(d)}, bf16);
    buf[kAtt16] = torch::zeros({b, padded(d)}, bf16);
    buf[kHidden16] = torch::zeros({b, padded(config.d_ff)}, bf16);
  }
}

namespace {

// S and z out of S' = [S | z]: narrow / select of the last dimension are strided views, so contiguous()
// copies them and the result shares no storage with S'.
void split_attention(const std::vector<Tensor>& kvs, std::int64_t b, std::int64_t h, std::int64_t e,
                     GenerationState& out) {
  out.attention.clear();
  for (const Tensor& kv : kvs) {
    Tensor full = kv.view({b, h, kv.size(1), e + 1});
    out.attention.push_back({full.narrow(3, 0, e).contiguous(), full.select(3, e).contiguous()});
  }
}

}  // namespace

GenerationState DecoderStepPlan::release(StepPlanState state) const {
  const ModelConfig& config = model_.config();
  c10::InferenceMode guard;
  GenerationState out = std::move(state.base);
  split_attention(state.kv, state.batch(), config.n_heads, config.head_dim(), out);
  return out;
}

GenerationState DecoderStepPlan::snapshot(const StepPlanState& state) const {
  const ModelConfig& config = model_.config();
  c10::InferenceMode guard;
  GenerationState out = state.base;  // deep copy of the code streams; its attention is empty in the plan
  split_attention(state.kv, state.batch(), config.n_heads, config.head_dim(), out);
  return out;
}

Tensor DecoderStepPlan::step(StepPlanState& state, const Tensor& tokens) const {
  GenerationState& base = state.base;
  if (tokens.dim() != 1 || tokens.size(0) != base.batch)
    throw std::invalid_argument("DecoderStepPlan::step: expected " + std::to_string(base.batch) + " token ids");
  if (state.kv.size() != weights_->layers.size())
    throw std::invalid_argument("DecoderStepPlan::step: the state was not adopted by this plan");
  c10::InferenceMode guard;
  const ModelConfig& config = model_.config();
  const SpeDecoder& decoder = *model_.transformer_decoder;
  const bool one_row = base.batch == 1;
  const bool spe = config.uses_spe();
  const FeatureMapKind map = model_.feature_map().kind();
  const double half_sq_scale = 0.5 / std::sqrt(static_cast<double>(config.query_dim()));  // ½·(d^(-1/4))²
  std::vector<Tensor>& buf = state.buffers;
  Tensor& x = buf[kX];
  const bool bf16 = options_.bf16_weights;
  const bool cpu_f32 = state.cpu_loops;
  const auto heads = static_cast<std::size_t>(config.n_heads), head_dim = static_cast<std::size_t>(config.head_dim());
  const auto features = static_cast<std::size_t>(buf[kPhi].size(1));

  at::index_select_out(x, weights_->emb, 0, tokens.to(x.device()));
  x.mul_(weights_->emb_scale);
  if (model_.pe) x.add_(model_.pe->rows(base.position, base.position + 1));
  const auto batch = static_cast<std::size_t>(base.batch);
  const auto d = static_cast<std::size_t>(config.d_model);
  const cpu::Bf16Kernel kernel = options_.bf16_kernel;
  float* x_data = bf16 ? x.data_ptr<float>() : nullptr;  // the BF16 path runs on float32 models only
  cpu::bf16_t* x16 = bf16 ? bf16_data(buf[kX16]) : nullptr;
  if (bf16)  // later layers get x16 from the LayerNorm that ends the layer before
    for (std::size_t r = 0; r < batch; ++r) cpu::round_to_bf16(x_data + r * d, d, x16 + r * cpu::padded_columns(d));

  std::vector<SpeCodes> codes;
  for (auto& stream : base.codes) codes.push_back(stream->next());

  for (std::size_t l = 0; l < weights_->layers.size(); ++l) {
    const Weights::Layer& w = weights_->layers[l];
    if (bf16)
      cpu::gemv_bf16(w.qkv16.view, x16, batch, {.bias = w.qkv_b.data_ptr<float>(), .out = buf[kQkv].data_ptr<float>()},
                     kernel);
    else
      affine(buf[kQkv], buf[kQkvRow], x, buf[kXRow], w.qkv_w, w.qkv_b);
    if (spe) {
      if (!one_row) buf[kQkIn].view({2, -1, base.batch, config.head_dim()}).copy_(buf[kQkvQk]);
      const SpeCodes& code = codes[decoder.generator_index(static_cast<int>(l))];
      const GateTerms* gate = base.gates.empty() ? nullptr : &base.gates[l];
      if (gate && gate->code_scale.defined()) {
        if (cpu_f32 && gate->noise_term.is_contiguous() && gate->code_scale.is_contiguous() && code.q.is_contiguous() &&
            code.k.is_contiguous()) {
          const auto rows = heads * head_dim, columns = static_cast<std::size_t>(config.spe.realizations);
          cpu::mix_gated_codes(gate->noise_term.data_ptr<float>(), code.q.data_ptr<float>(),
                               gate->code_scale.data_ptr<float>(), buf[kMixedQ].data_ptr<float>(), rows, columns);
          cpu::mix_gated_codes(gate->noise_term.data_ptr<float>(), code.k.data_ptr<float>(),
                               gate->code_scale.data_ptr<float>(), buf[kMixedK].data_ptr<float>(), rows, columns);
        } else {
          at::addcmul_out(buf[kMixedQ], gate->noise_term, code.q, gate->code_scale);
          at::addcmul_out(buf[kMixedK], gate->noise_term, code.k, gate->code_scale);
        }
      } else {
        buf[kMixedQ].copy_(code.q);
        buf[kMixedK].copy_(code.k);
      }
      // Σ_d q[h,d]·Q̃[h,d,r]: our loop for F32 on the CPU (CPU bmm on (B×D)·(D×R) products dispatches
      // per head — the largest non-weight cost of a step, measured); elsewhere multiply + reduce.
      if (cpu_f32) {
        cpu::contract_codes(buf[kQkIn].data_ptr<float>(), buf[kMixed].data_ptr<float>(),
                            buf[kQkHat].data_ptr<float>(), 2 * heads, batch, head_dim,
                            static_cast<std::size_t>(config.spe.realizations));
      } else {
        at::mul_out(buf[kSpeTmp], buf[kQkIn4], buf[kMixed4]);
        at::sum_out(buf[kQkHat], buf[kSpeTmp], {2});
      }
    }
    if (!one_row) buf[kFeatIn].copy_(buf[kFeatSrc]);
    switch (map) {
      case FeatureMapKind::favor:
        // φ = exp(±x'ω − ‖x'‖²/2 − ½ln F), x' = x·d^(-1/4): one product against d^(-1/4)·[ω, −ω] and one
        // ‖x‖² + constant: for F32 on the CPU with ≤ 32 rows (batch ≤ 4 of the bundled models) one loop
        // instead of three dispatches; with many rows OpenBLAS's mm is faster (docs/results/bench-cpu.md run F).
        if (cpu_f32 && 2 * batch * heads <= 32 && buf[kFeat2d].is_contiguous()) {
          cpu::favor_exponents(buf[kFeat2d].data_ptr<float>(), state.favor[l].data_ptr<float>(),
                               buf[kPhi].data_ptr<float>(), 2 * batch * heads, static_cast<std::size_t>(config.query_dim()),
                               features, static_cast<float>(0.5 * std::log(static_cast<double>(features))),
                               static_cast<float>(half_sq_scale));
          buf[kPhi].exp_();
        } else {
          at::mm_out(buf[kPhi], buf[kFeat2d], state.favor[l]);
          at::baddbmm_out(buf[kSqNorm], buf[kOffset], buf[kFeatRows], buf[kFeatCols], 1.0, half_sq_scale);
          buf[kPhi].sub_(buf[kSqNorm2d]).exp_();
        }
        break;
      case FeatureMapKind::relu: at::clamp_min_out(buf[kPhi], buf[kFeat2d], 0.0); break;
      case FeatureMapKind::elu: at::elu_out(buf[kPhi], buf[kFeat2d]).add_(1.0); break;
    }
    // S' += φk·[v, 1]ᵀ (S and z in one update), then φqᵀ·S' = [numerator, denominator]: for F32 on the
    // CPU one pass of our loop over S' per head (bmm would dispatch per head, multiply + reduce writes and
    // reads a temporary in S's shape); elsewhere element-wise.
    buf[kVAugDst].copy_(buf[kVSrc]);
    if (cpu_f32) {
      cpu::linear_attention_step(state.kv[l].data_ptr<float>(), buf[kPhiK].data_ptr<float>(),
                                 buf[kVAug].data_ptr<float>(), buf[kPhiQ].data_ptr<float>(),
                                 buf[kRead].data_ptr<float>(), buf[kAtt].data_ptr<float>(),
                                 static_cast<float>(kLinearAttentionEps), batch * heads, features, head_dim + 1);
    } else {
      state.kv[l].addcmul_(buf[kPhiK], buf[kVAug]);
      at::mul_out(buf[kAttTmp], buf[kPhiQ], state.kv[l]);
      at::sum_out(buf[kRead], buf[kAttTmp], {1}, /*keepdim=*/true);
      buf[kDen].add_(kLinearAttentionEps);
      at::div_out(buf[kAtt], buf[kNum], buf[kDen]);
    }

    if (bf16) {
      // x ← LN(x + W_o·att + b_o); hidden ← relu(W_1·x + b_1) straight into BF16; x ← LN(x + W_2·hidden + b_2):
      // biases, residuals and ReLU in the kernel's epilogue, the BF16 inputs written by the step before.
      cpu::bf16_t* att16 = bf16_data(buf[kAtt16]);
      cpu::bf16_t* hidden16 = bf16_data(buf[kHidden16]);
      const float* att = buf[kAtt].data_ptr<float>();
      for (std::size_t r = 0; r < batch; ++r) cpu::round_to_bf16(att + r * d, d, att16 + r * cpu::padded_columns(d));
      float* proj = buf[kProj].data_ptr<float>();
      cpu::gemv_bf16(w.out16.view, att16, batch, {.bias = w.out_b.data_ptr<float>(), .residual = x_data, .out = proj},
                     kernel);
      layer_norm_rows(proj, batch, d, w.norm1_w, w.norm1_b, w.norm1_eps, x_data, x16);
      cpu::gemv_bf16(w.w1_16.view, x16, batch, {.bias = w.b1.data_ptr<float>(), .relu = true, .out_bf16 = hidden16},
                     kernel);
      float* ff = buf[kFf].data_ptr<float>();
      cpu::gemv_bf16(w.w2_16.view, hidden16, batch, {.bias = w.b2.data_ptr<float>(), .residual = x_data, .out = ff},
                     kernel);
      layer_norm_rows(ff, batch, d, w.norm2_w, w.norm2_b, w.norm2_eps, x_data, x16);
      continue;
    }
    affine(buf[kProj], buf[kProjRow], buf[kAtt2d], buf[kAttRow], w.out_w, w.out_b);
    x.add_(buf[kProj]);
    x.copy_(at::layer_norm(x, {x.size(1)}, w.norm1_w, w.norm1_b, w.norm1_eps));
    affine(buf[kHidden], buf[kHiddenRow], x, buf[kXRow], w.w1, w.b1);
    buf[kHidden].relu_();
    affine(buf[kFf], buf[kFfRow], buf[kHidden], buf[kHiddenRow], w.w2, w.b2);
    buf[kFf].add_(x);
    x.copy_(at::layer_norm(buf[kFf], {x.size(1)}, w.norm2_w, w.norm2_b, w.norm2_eps));
  }
  ++base.position;
  if (one_row) return at::addmv(weights_->head_b, weights_->head_w, buf[kXRow]).unsqueeze(0);
  return at::addmm(weights_->head_b, x, weights_->head_w.t());
}

double step_matrix_bytes(const ModelConfig& c, double bytes_per_weight) {
  return bytes_per_weight * c.n_layers * (4.0 * c.d_model * c.d_model + 2.0 * c.d_model * static_cast<double>(c.d_ff));
}

bool bf16_step_pays_off(const PerformerLM& model) {
  if (!cpu::cpu_has_avx512_bf16()) return false;
  // L2 is 1–2 MiB per core on the CPUs with AVX-512 BF16 (Zen 4, Sapphire Rapids); the bundled models'
  // 19 MB of F32 matrices sit in L3 and still gain (docs/results/bench-cpu.md run G).
  return step_matrix_bytes(model.config(), 4.0) > 2.0 * 1024 * 1024;
}

void store_weights_column_major(PerformerLM& model) {
  torch::NoGradGuard no_grad;
  for (auto& module : model.modules(/*include_self=*/false))
    if (auto* linear = module->as<torch::nn::Linear>()) linear->weight.set_data(column_major(linear->weight));
}

GenerationState begin_sequence_at(const PerformerLM& model, std::int64_t batch, const NoiseContext& noise,
                                  std::int64_t position, double fill) {
  if (position < 0) throw std::invalid_argument("begin_sequence_at: position must not be negative");
  GenerationState state = model.begin_sequence(batch, noise);
  c10::InferenceMode guard;
  state.position = position;
  const SpeDecoder& decoder = *model.transformer_decoder;
  for (int g = 0; g < decoder.num_generators(); ++g)
    state.codes[static_cast<std::size_t>(g)] =
        decoder.generator(g).open_stream(position, model.config().spe.realizations, noise, g);
  for (LinearAttentionState& layer : state.attention) {
    layer.S.fill_(fill);
    layer.z.fill_(fill * static_cast<double>(layer.S.size(2)));
  }
  return state;
}

}  // namespace spe::model
