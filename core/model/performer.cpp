#include "model/performer.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include <c10/core/InferenceMode.h>
#include <torch/torch.h>

namespace spe::model {

namespace {

// y = x Wᵀ + b for a few rows. One row goes through addmv, which avoids the sgemm weight repacking
// that dominates batch-1 inference (TOOLCHAIN.md pitfall 3).
torch::Tensor linear_rows(const torch::Tensor& x, const torch::nn::Linear& layer) {
  if (x.size(0) == 1) return torch::addmv(layer->bias, layer->weight, x[0]).unsqueeze(0);
  return torch::addmm(layer->bias, x, layer->weight.t());
}

torch::Tensor layer_norm(const torch::Tensor& x, const torch::nn::LayerNorm& norm) {
  return torch::layer_norm(x, {x.size(-1)}, norm->weight, norm->bias, norm->options.eps());
}

std::shared_ptr<SpeGenerator> make_generator(const ModelConfig& config) {
  if (config.pe == PositionalKind::sine_spe)
    return std::make_shared<SineSPE>(config.n_heads, config.head_dim(), config.spe.num_sines);
  return std::make_shared<ConvSPE>(config.n_heads, config.head_dim(), config.spe.kernel_size,
                                   config.spe.conv_algorithm);
}

}  // namespace

// ------------------------------------------------------------------------------------------------ layers

AttentionLayer::AttentionLayer(int d_model) {
  query_projection = register_module("query_projection", torch::nn::Linear(d_model, d_model));
  key_projection = register_module("key_projection", torch::nn::Linear(d_model, d_model));
  value_projection = register_module("value_projection", torch::nn::Linear(d_model, d_model));
  out_projection = register_module("out_projection", torch::nn::Linear(d_model, d_model));
}

DecoderLayer::DecoderLayer(int d_model, int d_ff) {
  attention = register_module("attention", std::make_shared<AttentionLayer>(d_model));
  linear1 = register_module("linear1", torch::nn::Linear(d_model, d_ff));
  linear2 = register_module("linear2", torch::nn::Linear(d_ff, d_model));
  norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d_model})));
  norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d_model})));
}

SpeDecoder::SpeDecoder(const ModelConfig& config) : shared_(config.spe.share_pe) {
  if (config.uses_spe()) {
    if (shared_) {
      generators_.push_back(register_module("spe", make_generator(config)));
    } else {
      auto list = register_module("spe", torch::nn::ModuleList());
      for (int l = 0; l < config.n_layers; ++l) {
        generators_.push_back(make_generator(config));
        list->push_back(generators_.back());
      }
    }
    auto filters = register_module("spe_filters", torch::nn::ModuleList());
    for (int l = 0; l < config.n_layers; ++l) {
      filters_.push_back(std::make_shared<SPEFilter>(config.spe.gated, config.n_heads, config.head_dim()));
      filters->push_back(filters_.back());
    }
  }
  auto layers = register_module("decoder_layers", torch::nn::ModuleList());
  for (int l = 0; l < config.n_layers; ++l) {
    layers_.push_back(std::make_shared<DecoderLayer>(config.d_model, config.d_ff));
    layers->push_back(layers_.back());
  }
}

const SpeGenerator* SpeDecoder::generator_for(int layer) const {
  if (generators_.empty()) return nullptr;
  return generators_.at(generator_index(layer)).get();
}

// ------------------------------------------------------------------------------------------------ state

GenerationState::GenerationState(const GenerationState& other)
    : batch(other.batch),
      position(other.position),
      noise(other.noise),
      omega(other.omega),
      gates(other.gates) {
  c10::InferenceMode guard;
  for (const auto& layer : other.attention) attention.push_back({layer.S.clone(), layer.z.clone()});
  for (const auto& stream : other.codes) codes.push_back(stream->clone());
}

GenerationState& GenerationState::operator=(const GenerationState& other) {
  if (this != &other) *this = GenerationState(other);
  return *this;
}

GenerationState GenerationState::expand(std::int64_t new_batch) const {
  if (batch != 1) throw std::invalid_argument("GenerationState::expand: the state must have batch 1");
  if (new_batch <= 0) throw std::invalid_argument("GenerationState::expand: batch must be positive");
  c10::InferenceMode guard;
  GenerationState out(*this);
  out.batch = new_batch;
  for (auto& layer : out.attention) {
    layer.S = layer.S.expand({new_batch, -1, -1, -1}).contiguous();
    layer.z = layer.z.expand({new_batch, -1, -1}).contiguous();
  }
  return out;
}

GenerationState GenerationState::select(const std::vector<std::int64_t>& rows) const {
  c10::InferenceMode guard;
  for (auto row : rows)
    if (row < 0 || row >= batch)
      throw std::out_of_range("GenerationState::select: row " + std::to_string(row) +
                              " is outside the batch of " + std::to_string(batch));
  GenerationState out(*this);
  out.batch = static_cast<std::int64_t>(rows.size());
  torch::Tensor index = torch::tensor(rows, torch::dtype(torch::kInt64));
  for (auto& layer : out.attention) {
    layer.S = layer.S.index_select(0, index.to(layer.S.device()));
    layer.z = layer.z.index_select(0, index.to(layer.z.device()));
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ model

PerformerLM::PerformerLM(const ModelConfig& config, std::uint64_t init_seed) : PerformerLM(config, WeightsToFollow{}) {
  initialise(init_seed);
}

PerformerLM::PerformerLM(const ModelConfig& config, WeightsToFollow)
    : config_(config), feature_map_(config.feature_map, (config.validate(), config.query_dim())) {
  token_emb =
      register_module("token_emb", std::make_shared<TokenEmbedding>(config.vocab_size, config.d_model));
  if (config.pe == PositionalKind::ape_sine)
    pe = register_module("pe", std::make_shared<SinusoidalAPE>(config.d_model, config.ape_max_len));
  else if (config.pe == PositionalKind::ape_learned)
    pe = register_module("pe", std::make_shared<LearnedAPE>(config.d_model, config.ape_max_len));
  transformer_decoder = register_module("transformer_decoder", std::make_shared<SpeDecoder>(config));
  dec_out_proj = register_module("dec_out_proj", torch::nn::Linear(config.d_model, config.vocab_size));
}

void PerformerLM::initialise(std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  at::Generator generator = at::detail::createCPUGenerator(seed);
  auto normal = [&](torch::Tensor& t, double mean, double std) {
    t.copy_(torch::empty(t.sizes(), torch::dtype(torch::kFloat64)).normal_(mean, std, generator));
  };
  // SPE modules keep their own initialisation (the reference's weights_init does not match them).
  for (auto& g : transformer_decoder->generators_) g->reset_parameters(generator);
  for (auto& f : transformer_decoder->filters_) f->reset_parameters(generator);
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* linear = module->as<torch::nn::Linear>()) {
      normal(linear->weight, 0.0, 0.01);
      linear->bias.zero_();
    } else if (auto* embedding = module->as<torch::nn::Embedding>()) {
      normal(embedding->weight, 0.0, 0.01);
    } else if (auto* norm = module->as<torch::nn::LayerNorm>()) {
      normal(norm->weight, 1.0, 0.01);
      norm->bias.zero_();
    } else if (auto* learned = dynamic_cast<LearnedAPE*>(module.get())) {
      normal(learned->pe, 0.0, 0.02);
    }
  }
}

torch::Device PerformerLM::device() const {
  return dec_out_proj->weight.device();
}

std::vector<torch::Tensor> PerformerLM::draw_omegas(const NoiseContext& noise) const {
  std::vector<torch::Tensor> omegas;
  const auto options = dec_out_proj->weight.options();
  for (int l = 0; l < config_.n_layers; ++l) omegas.push_back(feature_map_.draw(noise, l, options));
  return omegas;
}

ForwardNoise PerformerLM::prepare_noise(std::int64_t length, const NoiseContext& noise) const {
  if (length < 0) throw std::invalid_argument("PerformerLM::prepare_noise: negative length");
  ForwardNoise out;
  out.length = length;
  for (int g = 0; g < transformer_decoder->num_generators(); ++g)
    out.codes.push_back(
        transformer_decoder->generator(g).codes(0, length, config_.spe.realizations, noise, g));
  out.omegas = draw_omegas(noise);
  return out;
}

torch::Tensor PerformerLM::forward(const torch::Tensor& tokens, const NoiseContext& noise,
                                   AttentionProbe* probe, const ForwardNoise* prepared) {
  if (tokens.dim() != 2) throw std::invalid_argument("PerformerLM::forward: tokens must be (batch, length)");
  const auto b = tokens.size(0), n = tokens.size(1);
  const int h = config_.n_heads, dh = config_.head_dim(), d = config_.d_model;
  const double p = config_.dropout;
  const bool train = is_training();

  torch::Tensor x = torch::dropout(token_emb->forward(tokens), p, train);
  if (pe) x = x + pe->rows(0, n).unsqueeze(0);

  if (prepared &&
      (prepared->length < n || prepared->omegas.size() != static_cast<std::size_t>(config_.n_layers) ||
       prepared->codes.size() != static_cast<std::size_t>(transformer_decoder->num_generators())))
    throw std::invalid_argument("PerformerLM::forward: the prepared noise is for " +
                                std::to_string(prepared->length) + " positions of another model, not " +
                                std::to_string(n));
  const ForwardNoise drawn = prepared ? ForwardNoise{} : prepare_noise(n, noise);
  const std::vector<SpeCodes>& codes = prepared ? prepared->codes : drawn.codes;
  const std::vector<torch::Tensor>& omegas = prepared ? prepared->omegas : drawn.omegas;

  for (int l = 0; l < config_.n_layers; ++l) {
    DecoderLayer& layer = *transformer_decoder->layers_[l];
    AttentionLayer& attn = *layer.attention;
    torch::Tensor q = attn.query_projection->forward(x).view({b, n, h, dh});
    torch::Tensor k = attn.key_projection->forward(x).view({b, n, h, dh});
    torch::Tensor v = attn.value_projection->forward(x).view({b, n, h, dh});
    if (config_.uses_spe()) {
      std::tie(q, k) = transformer_decoder->filter(l).forward(
          q, k, codes[transformer_decoder->generator_index(l)], noise, l);
    }
    if (probe && probe->layer == l) {
      torch::NoGradGuard no_grad;
      const auto w = probe->end - probe->begin;
      const torch::Tensor mask = torch::ones({w, w}, torch::dtype(torch::kBool)).tril().logical_not();
      // One head's causal softmax over the window, in float64 on the CPU: (B, W, W).
      auto head_weights = [&](int head) {
        torch::Tensor qw = q.select(2, head).narrow(1, probe->begin, w).to(torch::kCPU, torch::kFloat64);
        torch::Tensor kw = k.select(2, head).narrow(1, probe->begin, w).to(torch::kCPU, torch::kFloat64);
        torch::Tensor scores = torch::bmm(qw, kw.transpose(1, 2)) / std::sqrt(static_cast<double>(q.size(3)));
        return torch::softmax(scores.masked_fill(mask, -INFINITY), -1);
      };
      if (probe->head == AttentionProbe::kMeanOverHeads) {
        torch::Tensor sum = head_weights(0);
        for (int hh = 1; hh < h; ++hh) sum.add_(head_weights(hh));
        probe->weights = sum.div_(static_cast<double>(h));
      } else {
        probe->weights = head_weights(probe->head);
      }
    }
    torch::Tensor phi_q = feature_map_.apply(q, omegas[l]).transpose(1, 2);  // (B,H,N,F)
    torch::Tensor phi_k = feature_map_.apply(k, omegas[l]).transpose(1, 2);
    torch::Tensor out = causal_linear_attention(phi_q, phi_k, v.transpose(1, 2));  // (B,H,N,E)
    out = attn.out_projection->forward(out.transpose(1, 2).reshape({b, n, d}));
    x = layer.norm1->forward(x + torch::dropout(out, p, train));
    torch::Tensor y =
        layer.linear2->forward(torch::dropout(torch::relu(layer.linear1->forward(x)), p, train));
    x = layer.norm2->forward(x + torch::dropout(y, p, train));
  }
  return dec_out_proj->forward(x);
}

GenerationState PerformerLM::begin_sequence(std::int64_t batch, const NoiseContext& noise,
                                            std::optional<torch::Device> device) const {
  if (batch <= 0) throw std::invalid_argument("begin_sequence: batch must be positive");
  const torch::Device here = this->device();
  // "cuda" (no index) names whichever CUDA device the model is on.
  if (device && (device->type() != here.type() || (device->has_index() && device->index() != here.index())))
    throw std::invalid_argument("begin_sequence: the model is on " + this->device().str() + ", not on " +
                                device->str());
  c10::InferenceMode guard;
  GenerationState state;
  state.batch = batch;
  state.noise = noise;
  const auto options = dec_out_proj->weight.options();
  for (int l = 0; l < config_.n_layers; ++l)
    state.attention.push_back(zero_linear_attention_state(batch, config_.n_heads, feature_map_.output_dim(),
                                                          config_.head_dim(), options));
  state.omega = draw_omegas(noise);
  if (config_.uses_spe()) {
    for (int l = 0; l < config_.n_layers; ++l)
      state.gates.push_back(transformer_decoder->filter(l).gate_terms(noise, l, config_.spe.realizations));
    for (int g = 0; g < transformer_decoder->num_generators(); ++g)
      state.codes.push_back(
          transformer_decoder->generator(g).open_stream(0, config_.spe.realizations, noise, g));
  }
  return state;
}

torch::Tensor PerformerLM::step(GenerationState& state, const torch::Tensor& tokens) const {
  if (tokens.dim() != 1 || tokens.size(0) != state.batch)
    throw std::invalid_argument("PerformerLM::step: expected " + std::to_string(state.batch) + " token ids");
  if (state.attention.size() != static_cast<std::size_t>(config_.n_layers))
    throw std::invalid_argument("PerformerLM::step: the state was not made by begin_sequence for this model");
  c10::InferenceMode guard;
  const auto b = state.batch;
  const int h = config_.n_heads, dh = config_.head_dim(), d = config_.d_model;

  torch::Tensor x =
      torch::embedding(token_emb->emb_lookup->weight, tokens.to(device())).mul_(token_emb->scale());
  if (pe) x.add_(pe->rows(state.position, state.position + 1));

  std::vector<SpeCodes> codes;
  for (auto& stream : state.codes) codes.push_back(stream->next());

  for (int l = 0; l < config_.n_layers; ++l) {
    const DecoderLayer& layer = transformer_decoder->layer(l);
    const AttentionLayer& attn = *layer.attention;
    torch::Tensor q = linear_rows(x, attn.query_projection).view({b, h, dh});
    torch::Tensor k = linear_rows(x, attn.key_projection).view({b, h, dh});
    torch::Tensor v = linear_rows(x, attn.value_projection).view({b, h, dh});
    if (config_.uses_spe()) {
      std::tie(q, k) = transformer_decoder->filter(l).step(
          q, k, codes[transformer_decoder->generator_index(l)], state.gates[l]);
    }
    torch::Tensor phi_q = feature_map_.apply(q, state.omega[l]);  // (B,H,F)
    torch::Tensor phi_k = feature_map_.apply(k, state.omega[l]);
    torch::Tensor out = causal_linear_attention_step(state.attention[l], phi_q, phi_k, v).reshape({b, d});
    x = layer_norm(x.add_(linear_rows(out, attn.out_projection)), layer.norm1);
    torch::Tensor y = linear_rows(linear_rows(x, layer.linear1).relu_(), layer.linear2);
    x = layer_norm(y.add_(x), layer.norm2);
  }
  ++state.position;
  return linear_rows(x, dec_out_proj);
}

torch::Tensor PerformerLM::attention_probe(const torch::Tensor& tokens, const NoiseContext& noise, int layer,
                                           int head, std::int64_t begin, std::int64_t end) {
  if (layer < 0 || layer >= config_.n_layers)
    throw std::out_of_range("attention probe: layer " + std::to_string(layer) + " does not exist");
  if (head != AttentionProbe::kMeanOverHeads && (head < 0 || head >= config_.n_heads))
    throw std::out_of_range("attention probe: head " + std::to_string(head) + " does not exist (0 to " +
                            std::to_string(config_.n_heads - 1) + ", or -1 = mean over heads)");
  if (tokens.dim() != 2 || begin < 0 || end <= begin || end > tokens.size(1))
    throw std::out_of_range("attention probe: window [" + std::to_string(begin) + ", " + std::to_string(end) +
                            ") is not inside the sequence");
  torch::NoGradGuard no_grad;
  AttentionProbe probe{layer, head, begin, end, {}};
  forward(tokens.narrow(1, 0, end), noise, &probe);
  return probe.weights;
}

}  // namespace spe::model
