// Loading checkpoint tensors into a torch::nn::Module by parameter/buffer names, with a precise report.
#include "torch_catch.hpp"

#include "io/checkpoint.hpp"
#include "io/module_loading.hpp"
#include "test_paths.hpp"

using namespace spe::io;

namespace {

struct TinyBlockImpl : torch::nn::Module {
  TinyBlockImpl() {
    proj = register_module("proj", torch::nn::Linear(4, 6));
    norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({6})));
    table = register_buffer("table", torch::arange(12, torch::kFloat).reshape({3, 4}));
  }
  torch::nn::Linear proj{nullptr};
  torch::nn::LayerNorm norm{nullptr};
  torch::Tensor table;
};
TORCH_MODULE(TinyBlock);

struct TinyModelImpl : torch::nn::Module {
  TinyModelImpl() {
    emb = register_module("emb", torch::nn::Embedding(10, 4));
    layers = register_module("layers", torch::nn::ModuleList(TinyBlock(), TinyBlock()));
  }
  torch::nn::Embedding emb{nullptr};
  torch::nn::ModuleList layers{nullptr};
};
TORCH_MODULE(TinyModel);

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool equal_modules(const torch::nn::Module& a, const torch::nn::Module& b) {
  const auto ta = module_tensors(a), tb = module_tensors(b);
  if (ta.size() != tb.size()) return false;
  for (std::size_t i = 0; i < ta.size(); ++i) {
    if (ta[i].first != tb[i].first || !torch::equal(ta[i].second, tb[i].second)) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("module_tensors lists parameters and buffers by their module paths") {
  TinyModel model;
  const auto tensors = module_tensors(*model);
  std::vector<std::string> names;
  for (const auto& [name, t] : tensors) names.push_back(name);
  CHECK(names.size() == 1 + 2 * 4 + 2);
  CHECK(contains(names, "emb.weight"));
  CHECK(contains(names, "layers.1.proj.weight"));
  CHECK(contains(names, "layers.0.norm.bias"));
  CHECK(contains(names, "layers.1.table"));
}

TEST_CASE("a checkpoint saved from a module loads into a fresh one exactly") {
  torch::manual_seed(1);
  TinyModel source;
  {
    torch::NoGradGuard no_grad;
    for (auto& p : source->parameters()) p.normal_();
  }
  const auto dir = spe::test::scratch_dir("io_module_roundtrip") / "model";
  CheckpointMeta meta;
  meta.license = "test";
  save_checkpoint(dir, module_tensors(*source), meta);

  torch::manual_seed(2);
  TinyModel target;
  REQUIRE_FALSE(equal_modules(*source, *target));
  const auto report = load_into_module(*target, load_checkpoint(dir).tensors);
  CHECK(report.complete());
  CHECK(report.loaded.size() == 11);
  CHECK(equal_modules(*source, *target));
  CHECK(report.summary() == "11 tensors loaded");
  // Parameters keep their identity and autograd flags: the values were copied in place.
  CHECK(target->emb->weight.requires_grad());
}

TEST_CASE("load_into_module reports missing, unexpected and mis-shaped tensors by name") {
  TinyModel source, target;
  auto tensors = module_tensors(*source);
  const auto before = module_tensors(*target);

  // Remove one, add one, reshape one.
  tensors.erase(std::remove_if(tensors.begin(), tensors.end(), [](const auto& p) { return p.first == "layers.0.proj.bias"; }),
                tensors.end());
  tensors.emplace_back("layers.0.attention.feature_map.omega", torch::zeros({4, 4}));
  for (auto& [name, t] : tensors) {
    if (name == "emb.weight") t = torch::zeros({11, 4});
  }

  std::string message;
  try {
    load_into_module(*target, tensors, {}, "ckpt/model.safetensors");
  } catch (const FormatError& e) {
    message = e.what();
  }
  CHECK_THAT(message, Catch::StartsWith("ckpt/model.safetensors: checkpoint does not match the model:"));
  CHECK_THAT(message, Catch::Contains("1 missing (layers.0.proj.bias)"));
  CHECK_THAT(message, Catch::Contains("1 unexpected (layers.0.attention.feature_map.omega)"));
  CHECK_THAT(message, Catch::Contains("1 shape mismatch (emb.weight: model [10,4], checkpoint [11,4])"));
  CHECK(message.find('\n') == std::string::npos);
  // A refused load changes nothing.
  const auto after = module_tensors(*target);
  for (std::size_t i = 0; i < after.size(); ++i) CHECK(torch::equal(after[i].second, before[i].second));

  // Each problem can be allowed explicitly; the report still lists it.
  ModuleLoadOptions lenient;
  lenient.allow_missing = lenient.allow_unexpected = lenient.allow_shape_mismatch = true;
  const auto report = load_into_module(*target, tensors, lenient);
  CHECK(report.missing == std::vector<std::string>{"layers.0.proj.bias"});
  CHECK(report.unexpected == std::vector<std::string>{"layers.0.attention.feature_map.omega"});
  REQUIRE(report.mismatched.size() == 1);
  CHECK(report.mismatched[0].name == "emb.weight");
  CHECK(report.loaded.size() == 9);
  CHECK(torch::equal(target->emb->weight, before[0].second));  // mismatched tensor untouched
  CHECK(torch::equal(target->layers[1]->as<TinyBlockImpl>()->proj->weight,
                     source->layers[1]->as<TinyBlockImpl>()->proj->weight));

  // Allowing only one kind still refuses the others.
  ModuleLoadOptions only_unexpected;
  only_unexpected.allow_unexpected = true;
  CHECK_THROWS_WITH(load_into_module(*target, tensors, only_unexpected), Catch::Contains("missing"));
}

TEST_CASE("load_into_module converts dtype on copy") {
  TinyModel source, target;
  NamedTensors half;
  for (const auto& [name, t] : module_tensors(*source)) half.emplace_back(name, t.to(torch::kHalf));
  load_into_module(*target, half);
  CHECK(target->emb->weight.scalar_type() == torch::kFloat);
  CHECK(torch::equal(target->emb->weight, source->emb->weight.to(torch::kHalf).to(torch::kFloat)));
}
