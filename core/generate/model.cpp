// The torch side of generation: a PerformerLM loaded from a model folder, seen by the engine through
// the torch-free IncrementalModel interface.
#include "generate/model.hpp"

#include <torch/cuda.h>
#include <torch/torch.h>

#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "generate/scheme_adapter.hpp"
#include "io/checkpoint.hpp"
#include "model/config.hpp"
#include "model/performer.hpp"
#include "model/step_plan.hpp"
#include "model_folder/model_folder.hpp"

namespace spe::generate {

namespace {

std::string pe_short_name(model::PositionalKind kind) {
  switch (kind) {
    case model::PositionalKind::ape_sine:
    case model::PositionalKind::ape_learned: return "ape";
    case model::PositionalKind::sine_spe: return "sine";
    case model::PositionalKind::conv_spe: return "conv";
    case model::PositionalKind::none: return "none";
  }
  return "none";
}

ModelInfo info_from_meta(const io::CheckpointMeta& meta, const io::WeightsInfo& weights,
                         const std::filesystem::path& dir) {
  ModelInfo info;
  info.name = meta.name.empty() ? dir.filename().string() : meta.name;
  info.description = meta.description;
  info.license = meta.license;
  if (meta.metrics.is_object() && meta.metrics.contains("parameters") && meta.metrics["parameters"].is_number_integer())
    info.parameters = meta.metrics["parameters"].get<std::int64_t>();
  info.path = dir;
  info.weights_sha256 = weights.sha256;
  if (!meta.tokenizer.is_object() || !meta.tokenizer.contains("scheme") || !meta.tokenizer["scheme"].is_string())
    throw std::runtime_error((dir / io::kMetaFileName).string() + ": no tokenizer scheme in model.json");
  info.scheme = meta.tokenizer["scheme"].get<std::string>();
  model::ModelConfig config;
  try {
    config = model::model_config_from_json(meta.architecture);
  } catch (const std::exception& e) {
    throw std::runtime_error((dir / io::kMetaFileName).string() + ": bad architecture: " + e.what());
  }
  info.pe = pe_short_name(config.pe);
  info.gated = config.uses_spe() && config.spe.gated;
  info.train_len = meta.training_length > 0 ? meta.training_length : config.train_len;
  return info;
}

class PerformerState final : public ModelState {
 public:
  explicit PerformerState(model::GenerationState s) : state(std::move(s)) {}
  std::unique_ptr<ModelState> clone() const override { return std::make_unique<PerformerState>(state); }
  int batch() const override { return static_cast<int>(state.batch); }
  std::int64_t position() const override { return state.position; }
  model::GenerationState state;
};

model::GenerationState& unwrap(ModelState& s) { return dynamic_cast<PerformerState&>(s).state; }
const model::GenerationState& unwrap(const ModelState& s) { return dynamic_cast<const PerformerState&>(s).state; }

// A state in the fused step plan's layout (model::DecoderStepPlan). Snapshots go through the model's layout.
class PlanState final : public ModelState {
 public:
  PlanState(const model::DecoderStepPlan& plan, model::StepPlanState s) : plan_(plan), state(std::move(s)) {}
  std::unique_ptr<ModelState> clone() const override {
    return std::make_unique<PlanState>(plan_, plan_.copy(state));
  }
  int batch() const override { return static_cast<int>(state.batch()); }
  std::int64_t position() const override { return state.position(); }
  const model::DecoderStepPlan& plan_;
  model::StepPlanState state;
};

// Which recurrent step takes use: the fused plan on the CPU (equal to PerformerLM::step to round-off,
// several times faster at batch 1) — with BF16 weights where that is faster (model::bf16_step_pays_off:
// an AVX-512 BF16 CPU and matrices beyond a core's L2 cache) or where the load settings ask for them (a
// recipe's) — and PerformerLM::step elsewhere. SPE_STEP_IMPL = auto | plan (F32 plan) | plan-bf16 | step
// overrides the choice on the CPU (tests, comparisons).
enum class StepImpl { step, plan_f32, plan_bf16 };

StepImpl choose_step(torch::Device device, const model::PerformerLM& lm, const std::string& step_weights) {
  const char* env = std::getenv("SPE_STEP_IMPL");
  const std::string impl = env ? env : "auto";
  if (impl != "auto" && impl != "plan" && impl != "plan-bf16" && impl != "step")
    throw std::invalid_argument("SPE_STEP_IMPL='" + impl + "': expected auto, plan, plan-bf16 or step");
  if (step_weights != "auto" && step_weights != "f32" && step_weights != "bf16")
    throw std::invalid_argument("step weights '" + step_weights + "': expected auto, f32 or bf16");
  if (impl == "step" || !device.is_cpu()) return StepImpl::step;  // the plan is a CPU path
  if (impl == "plan") return StepImpl::plan_f32;
  if (impl == "plan-bf16") return StepImpl::plan_bf16;
  if (step_weights == "f32") return StepImpl::plan_f32;
  if (step_weights == "bf16") return StepImpl::plan_bf16;
  return model::bf16_step_pays_off(lm) ? StepImpl::plan_bf16 : StepImpl::plan_f32;
}

}  // namespace

struct Model::Backend final : IncrementalModel {
  Backend(std::shared_ptr<model::PerformerLM> m, torch::Device d, const std::string& step_weights)
      : lm(std::move(m)), device(d), impl(choose_step(device, *lm, step_weights)) {
    if (impl == StepImpl::plan_f32) {
      model::store_weights_column_major(*lm);  // the layout the plan streams: it aliases instead of copying
      plan = std::make_unique<model::DecoderStepPlan>(*lm);
    } else if (impl == StepImpl::plan_bf16) {
      plan = std::make_unique<model::DecoderStepPlan>(*lm, model::StepPlanOptions{.bf16_weights = true});
    }
  }

  int vocab_size() const override { return lm->config().vocab_size; }

  std::unique_ptr<ModelState> wrap(model::GenerationState s) const {
    if (plan) return std::make_unique<PlanState>(*plan, plan->adopt(std::move(s)));
    return std::make_unique<PerformerState>(std::move(s));
  }
  // The state in the model's layout (a copy for a plan state, which keeps its own layout).
  model::GenerationState model_layout(const ModelState& state) const {
    if (const auto* p = dynamic_cast<const PlanState*>(&state)) return plan->snapshot(p->state);
    return unwrap(state);
  }

  std::unique_ptr<ModelState> begin_sequence(int batch, std::uint64_t seed) const override {
    torch::NoGradGuard no_grad;
    return wrap(lm->begin_sequence(batch, model::NoiseContext(seed), device));
  }
  std::unique_ptr<ModelState> expand(const ModelState& state, int copies) const override {
    torch::NoGradGuard no_grad;
    return wrap(model_layout(state).expand(copies));
  }
  std::unique_ptr<ModelState> select_row(const ModelState& state, int row) const override {
    torch::NoGradGuard no_grad;
    return wrap(model_layout(state).select({row}));
  }
  void step(ModelState& state, std::span<const int> tokens, std::span<float> logits) const override {
    torch::NoGradGuard no_grad;
    const auto batch = static_cast<std::int64_t>(tokens.size());
    if (batch != state.batch()) throw std::logic_error("step: token count does not match the state's batch");
    torch::Tensor ids = torch::empty({batch}, torch::kInt64);
    auto* p = ids.data_ptr<std::int64_t>();
    for (std::int64_t b = 0; b < batch; ++b) p[b] = tokens[static_cast<std::size_t>(b)];
    torch::Tensor out;
    if (auto* planned = dynamic_cast<PlanState*>(&state))
      out = plan->step(planned->state, ids.to(device));
    else
      out = lm->step(unwrap(state), ids.to(device));
    out = out.to(torch::kCPU, torch::kFloat32).contiguous();
    if (static_cast<std::size_t>(out.numel()) != logits.size())
      throw std::logic_error("step: logits buffer has the wrong size");
    std::memcpy(logits.data(), out.data_ptr<float>(), logits.size() * sizeof(float));
  }

  std::shared_ptr<model::PerformerLM> lm;
  torch::Device device;
  StepImpl impl;
  std::unique_ptr<model::DecoderStepPlan> plan;  // null: PerformerLM::step (not CPU, or SPE_STEP_IMPL=step)
};

std::string ModelInfo::id() const { return name + "@" + weights_sha256.substr(0, 12); }

void to_json(nlohmann::json& j, const ModelInfo& info) {
  j = nlohmann::json{{"name", info.name},       {"description", info.description},
                     {"scheme", info.scheme},   {"pe", info.pe},
                     {"gated", info.gated},     {"train_len", info.train_len},
                     {"id", info.id()},         {"weights_sha256", info.weights_sha256},
                     {"path", info.path.string()}};
  if (info.parameters > 0) j["parameters"] = info.parameters;
}

ModelInfo read_model_info(const std::filesystem::path& dir) {
  auto [meta, weights] = io::read_checkpoint_meta(dir);
  return info_from_meta(meta, weights, dir);
}

std::shared_ptr<const Model> Model::load(const std::filesystem::path& dir, const ModelLoadSettings& settings) {
  torch::Device device(torch::kCPU);
  try {
    device = torch::Device(settings.device);
  } catch (const std::exception&) {
    throw std::invalid_argument("unknown device '" + settings.device + "' (expected cpu or cuda)");
  }
  if (device.is_cuda() && !torch::cuda::is_available())
    throw std::runtime_error("device '" + settings.device + "' requested but this build has no usable CUDA");

  model_folder::LoadedModel loaded = model_folder::load(dir, {.device = device});
  std::shared_ptr<Model> m(new Model());
  m->info_ = info_from_meta(loaded.meta, loaded.weights, dir);
  m->tokenizer_ = std::move(loaded.tokenizer);
  std::shared_ptr<model::PerformerLM> lm = std::move(loaded.model);
  std::int64_t parameters = 0;
  for (const auto& p : lm->parameters()) parameters += p.numel();
  m->info_.parameters = parameters;
  m->scheme_ = make_token_scheme(*m->tokenizer_);
  m->backend_ = std::make_unique<Backend>(std::move(lm), device, settings.step_weights);
  return m;
}

Model::~Model() = default;

const IncrementalModel& Model::incremental() const { return *backend_; }
std::string Model::device() const { return backend_->device.str(); }
std::string Model::step_weights() const {
  switch (backend_->impl) {
    case StepImpl::plan_f32: return "f32";
    case StepImpl::plan_bf16: return "bf16";
    case StepImpl::step: break;
  }
  return "";
}
int Model::layers() const { return backend_->lm->config().n_layers; }
int Model::heads() const { return backend_->lm->config().n_heads; }

static_assert(AttentionWindow::kMeanOverHeads == model::AttentionProbe::kMeanOverHeads);

AttentionWindow Model::attention(const std::vector<int>& tokens, std::uint64_t model_seed, int layer, int head,
                                 std::int64_t begin, std::int64_t end) const {
  if (layer < 0 || layer >= layers() || head < AttentionWindow::kMeanOverHeads || head >= heads())
    throw std::invalid_argument("attention: no layer " + std::to_string(layer) + " / head " + std::to_string(head) +
                                " (the model has " + std::to_string(layers()) + " layers of " +
                                std::to_string(heads()) + " heads; head -1 = mean over heads)");
  if (begin < 0 || end <= begin || end > static_cast<std::int64_t>(tokens.size()))
    throw std::invalid_argument("attention: window [" + std::to_string(begin) + ", " + std::to_string(end) +
                                ") is not inside the " + std::to_string(tokens.size()) + " tokens");
  torch::NoGradGuard no_grad;
  torch::Tensor ids = torch::empty({1, end}, torch::kInt64);
  for (std::int64_t i = 0; i < end; ++i) ids[0][i] = tokens[static_cast<std::size_t>(i)];
  torch::Tensor w = backend_->lm->attention_probe(ids.to(backend_->device), model::NoiseContext(model_seed),
                                                  layer, head, begin, end);
  w = w.to(torch::kCPU, torch::kFloat32).contiguous();
  AttentionWindow out;
  out.layer = layer;
  out.head = head;
  out.begin = begin;
  out.end = end;
  out.weights.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
  return out;
}

model::KernelReport Model::positional_templates(const model::KernelOptions& options) const {
  if (!backend_->lm->config().uses_spe())
    throw std::invalid_argument("positional templates: the model uses " + model::to_string(backend_->lm->config().pe) +
                                ", not SPE");
  if (options.layer < 0 || options.layer >= layers())
    throw std::invalid_argument("positional templates: no layer " + std::to_string(options.layer) + " (the model has " +
                                std::to_string(layers()) + ")");
  torch::NoGradGuard no_grad;
  return model::kernel_report(*backend_->lm, options);
}

PositionalGram Model::positional_dot_products(std::int64_t positions, std::int64_t max_size) const {
  const model::PerformerLM& lm = *backend_->lm;
  if (!lm.pe)
    throw std::invalid_argument("positional dot products: the model uses " + model::to_string(lm.config().pe) +
                                ", not an absolute positional encoding");
  if (positions < 1 || max_size < 1)
    throw std::invalid_argument("positional dot products: need at least one position and one row");
  PositionalGram out;
  out.kind = model::to_string(lm.config().pe);
  if (lm.config().pe == model::PositionalKind::ape_learned)  // a learned table has no rows past its length
    positions = std::min<std::int64_t>(positions, lm.config().ape_max_len);
  out.positions = positions;
  out.step = (positions + max_size - 1) / max_size;
  out.size = (positions + out.step - 1) / out.step;
  torch::NoGradGuard no_grad;
  torch::Tensor rows = lm.pe->rows(0, positions).to(torch::kCPU, torch::kFloat64);
  if (out.step > 1) rows = rows.slice(0, 0, positions, out.step);
  torch::Tensor gram = torch::matmul(rows, rows.transpose(0, 1)).to(torch::kFloat32).contiguous();
  out.values.assign(gram.data_ptr<float>(), gram.data_ptr<float>() + gram.numel());
  return out;
}

void set_compute_threads(int threads) {
  if (threads > 0) torch::set_num_threads(threads);
}

}  // namespace spe::generate
