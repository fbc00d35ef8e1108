#include "io/module_loading.hpp"

#include <torch/nn/module.h>
#include <torch/types.h>

#include <map>
#include <unordered_map>

namespace spe::io {
namespace {

// At most `limit` items, so that a wholly wrong checkpoint still gives a readable line.
template <typename T, typename Format>
std::string list_text(const std::vector<T>& items, Format format, std::size_t limit = 8) {
  std::string text;
  for (std::size_t i = 0; i < items.size() && i < limit; ++i) {
    if (i) text += ", ";
    text += format(items[i]);
  }
  if (items.size() > limit) text += ", ... " + std::to_string(items.size() - limit) + " more";
  return text;
}

}  // namespace

std::string LoadReport::summary() const {
  std::vector<std::string> parts;
  auto same = [](const std::string& s) { return s; };
  if (!missing.empty()) parts.push_back(std::to_string(missing.size()) + " missing (" + list_text(missing, same) + ")");
  if (!unexpected.empty()) {
    parts.push_back(std::to_string(unexpected.size()) + " unexpected (" + list_text(unexpected, same) + ")");
  }
  if (!mismatched.empty()) {
    parts.push_back(std::to_string(mismatched.size()) + " shape mismatch" + (mismatched.size() > 1 ? "es" : "") + " (" +
                    list_text(mismatched,
                              [](const ShapeMismatch& m) {
                                return m.name + ": model " + format_shape(m.model_shape) + ", checkpoint " +
                                       format_shape(m.checkpoint_shape);
                              }) +
                    ")");
  }
  if (parts.empty()) return std::to_string(loaded.size()) + " tensors loaded";
  std::string text;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) text += "; ";
    text += parts[i];
  }
  return text;
}

NamedTensors module_tensors(const torch::nn::Module& module) {
  NamedTensors out;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) out.emplace_back(item.key(), item.value());
  for (const auto& item : module.named_buffers(/*recurse=*/true)) out.emplace_back(item.key(), item.value());
  return out;
}

LoadReport load_into_module(torch::nn::Module& module, const NamedTensors& tensors, const ModuleLoadOptions& options,
                            const std::string& source) {
  std::unordered_map<std::string, const at::Tensor*> provided;
  for (const auto& [name, tensor] : tensors) provided.emplace(name, &tensor);

  LoadReport report;
  std::vector<std::pair<at::Tensor, const at::Tensor*>> copies;
  std::unordered_map<std::string, bool> in_model;
  for (auto& [name, target] : module_tensors(module)) {
    in_model[name] = true;
    const auto it = provided.find(name);
    if (it == provided.end()) {
      report.missing.push_back(name);
    } else if (target.sizes() != it->second->sizes()) {
      report.mismatched.push_back({name, target.sizes().vec(), it->second->sizes().vec()});
    } else {
      report.loaded.push_back(name);
      copies.emplace_back(target, it->second);
    }
  }
  for (const auto& [name, tensor] : tensors) {
    if (!in_model.count(name)) report.unexpected.push_back(name);
  }

  const bool refused = (!report.missing.empty() && !options.allow_missing) ||
                       (!report.unexpected.empty() && !options.allow_unexpected) ||
                       (!report.mismatched.empty() && !options.allow_shape_mismatch);
  if (refused) throw FormatError(source + ": checkpoint does not match the model: " + report.summary());

  torch::NoGradGuard no_grad;
  for (auto& [target, value] : copies) target.copy_(*value);
  return report;
}

}  // namespace spe::io
