#include "model/step_plan.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include <c10/core/InferenceMode.h>
#include <torch/torch.h>

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
  kQkIn4,      // view (2H, B, D, 1)
  kMixed4,     // view (2H, 1, D, R) of kMixed
  kSpeTmp,     // (2H, B, D, R) products before the sum over D
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
  kAttTmp,     // (B·H, F, E+1) φq ⊙ S' before the sum over F
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
  kInD16,      // (B, d) BF16 copy of a layer input (bf16_weights)
  kInFf16,     // (B, d_ff)
  kOutQkv16,   // (B, 3d) BF16 products before the bias
  kOutD16,     // (B, d)
  kOutFf16,    // (B, d_ff)
  kBufferCount
};

}  // namespace

struct DecoderStepPlan::Weights {
  struct Layer {
    Tensor qkv_w, qkv_b;  // fused (3d, d), (3d): rows q, k, v
    Tensor qkv_t16, out_t16, w1_t16, w2_t16;  // BF16 (in, out) views of (out, in) copies (bf16_weights)
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

// y = x·Wᵀ + b with W in BF16: x rounded into `x16`, the product in BF16 into `y16` (oneDNN), the bias
// added in the model's dtype.
void affine_bf16(const Tensor& out, const Tensor& x, const Tensor& x16, const Tensor& w_t16, const Tensor& y16,
                 const Tensor& b) {
  const_cast<Tensor&>(x16).copy_(x);
  at::mm_out(const_cast<Tensor&>(y16), x16, w_t16);
  at::add_out(const_cast<Tensor&>(out), b, y16);
}

Tensor bf16_transposed(const Tensor& w) { return w.to(at::kBFloat16).contiguous().t(); }

// The same (out, in) matrix stored column-major: addmv then runs OpenBLAS sgemv "N", which streams the
// weights ≈25 % faster than the "T" kernel a row-major matrix gets (measured on the CI machine, 1 thread).
Tensor column_major(const Tensor& w) { return w.t().contiguous().t(); }

}  // namespace

DecoderStepPlan::DecoderStepPlan(const PerformerLM& model, const StepPlanOptions& options)
    : model_(model), options_(options), weights_(std::make_unique<Weights>()) {
  c10::InferenceMode guard;
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
      w.qkv_t16 = bf16_transposed(w.qkv_w);
      w.out_t16 = bf16_transposed(w.out_w);
      w.w1_t16 = bf16_transposed(w.w1);
      w.w2_t16 = bf16_transposed(w.w2);
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
  const std::int64_t b = state.batch, h = config.n_heads, e = config.head_dim(), d = config.d_model;
  const std::int64_t q = config.query_dim(), f = model_.feature_map().output_dim();
  const auto options = weights_->head_w.options();

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
    buf[kQkIn4] = buf[kQkIn].view({2 * h, b, e, 1});
    buf[kMixed4] = buf[kMixed].view({2 * h, 1, e, r});
    buf[kSpeTmp] = torch::empty({2 * h, b, e, r}, options);
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
  buf[kAttTmp] = torch::empty({b * h, f, e + 1}, options);
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
  if (options_.bf16_weights) {
    const auto bf16 = options.dtype(at::kBFloat16);
    buf[kInD16] = torch::empty({b, d}, bf16);
    buf[kInFf16] = torch::empty({b, config.d_ff}, bf16);
    buf[kOutQkv16] = torch::empty({b, 3 * d}, bf16);
    buf[kOutD16] = torch::empty({b, d}, bf16);
    buf[kOutFf16] = torch::empty({b, config.d_ff}, bf16);
  }
  return out;
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

  at::index_select_out(x, weights_->emb, 0, tokens.to(x.device()));
  x.mul_(weights_->emb_scale);
  if (model_.pe) x.add_(model_.pe->rows(base.position, base.position + 1));

  std::vector<SpeCodes> codes;
  for (auto& stream : base.codes) codes.push_back(stream->next());

  for (std::size_t l = 0; l < weights_->layers.size(); ++l) {
    const Weights::Layer& w = weights_->layers[l];
    if (bf16)
      affine_bf16(buf[kQkv], x, buf[kInD16], w.qkv_t16, buf[kOutQkv16], w.qkv_b);
    else
      affine(buf[kQkv], buf[kQkvRow], x, buf[kXRow], w.qkv_w, w.qkv_b);
    if (spe) {
      if (!one_row) buf[kQkIn].view({2, -1, base.batch, config.head_dim()}).copy_(buf[kQkvQk]);
      const SpeCodes& code = codes[decoder.generator_index(static_cast<int>(l))];
      const GateTerms* gate = base.gates.empty() ? nullptr : &base.gates[l];
      if (gate && gate->code_scale.defined()) {
        at::addcmul_out(buf[kMixedQ], gate->noise_term, code.q, gate->code_scale);
        at::addcmul_out(buf[kMixedK], gate->noise_term, code.k, gate->code_scale);
      } else {
        buf[kMixedQ].copy_(code.q);
        buf[kMixedK].copy_(code.k);
      }
      // Σ_d q[h,d]·Q̃[h,d,r] as multiply + reduce: CPU bmm on (1×D)·(D×R) products loops over the 2H
      // heads with several dispatches each (measured: the largest non-weight cost of a step).
      at::mul_out(buf[kSpeTmp], buf[kQkIn4], buf[kMixed4]);
      at::sum_out(buf[kQkHat], buf[kSpeTmp], {2});
    }
    if (!one_row) buf[kFeatIn].copy_(buf[kFeatSrc]);
    switch (map) {
      case FeatureMapKind::favor:
        // φ = exp(±x'ω − ‖x'‖²/2 − ½ln F), x' = x·d^(-1/4): one product against d^(-1/4)·[ω, −ω] and one
        // fused ‖x‖² + constant.
        at::mm_out(buf[kPhi], buf[kFeat2d], state.favor[l]);
        at::baddbmm_out(buf[kSqNorm], buf[kOffset], buf[kFeatRows], buf[kFeatCols], 1.0, half_sq_scale);
        buf[kPhi].sub_(buf[kSqNorm2d]).exp_();
        break;
      case FeatureMapKind::relu: at::clamp_min_out(buf[kPhi], buf[kFeat2d], 0.0); break;
      case FeatureMapKind::elu: at::elu_out(buf[kPhi], buf[kFeat2d]).add_(1.0); break;
    }
    // S' += φk·[v, 1]ᵀ (S and z in one update), then φqᵀ·S' = [numerator, denominator]; element-wise
    // for the same reason as the SPE contraction.
    buf[kVAugDst].copy_(buf[kVSrc]);
    state.kv[l].addcmul_(buf[kPhiK], buf[kVAug]);
    at::mul_out(buf[kAttTmp], buf[kPhiQ], state.kv[l]);
    at::sum_out(buf[kRead], buf[kAttTmp], {1}, /*keepdim=*/true);
    buf[kDen].add_(kLinearAttentionEps);
    at::div_out(buf[kAtt], buf[kNum], buf[kDen]);

    if (bf16)
      affine_bf16(buf[kProj], buf[kAtt2d], buf[kInD16], w.out_t16, buf[kOutD16], w.out_b);
    else
      affine(buf[kProj], buf[kProjRow], buf[kAtt2d], buf[kAttRow], w.out_w, w.out_b);
    x.add_(buf[kProj]);
    x.copy_(at::layer_norm(x, {x.size(1)}, w.norm1_w, w.norm1_b, w.norm1_eps));
    if (bf16)
      affine_bf16(buf[kHidden], x, buf[kInD16], w.w1_t16, buf[kOutFf16], w.b1);
    else
      affine(buf[kHidden], buf[kHiddenRow], x, buf[kXRow], w.w1, w.b1);
    buf[kHidden].relu_();
    if (bf16)
      affine_bf16(buf[kFf], buf[kHidden], buf[kInFf16], w.w2_t16, buf[kOutD16], w.b2);
    else
      affine(buf[kFf], buf[kFfRow], buf[kHidden], buf[kHiddenRow], w.w2, w.b2);
    buf[kFf].add_(x);
    x.copy_(at::layer_norm(buf[kFf], {x.size(1)}, w.norm2_w, w.norm2_b, w.norm2_eps));
  }
  ++base.position;
  if (one_row) return at::addmv(weights_->head_b, weights_->head_w, buf[kXRow]).unsqueeze(0);
  return at::addmm(weights_->head_b, x, weights_->head_w.t());
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
