#pragma once
// Copies checkpoint tensors into a torch::nn::Module by the names of its named_parameters() and
// named_buffers(), and says precisely what did not fit.

#include <cstdint>
#include <string>
#include <vector>

#include "io/safetensors_torch.hpp"

namespace torch::nn {
class Module;
}

namespace spe::io {

struct ShapeMismatch {
  std::string name;
  std::vector<std::int64_t> model_shape;
  std::vector<std::int64_t> checkpoint_shape;
};

struct LoadReport {
  std::vector<std::string> loaded;      // copied into the module
  std::vector<std::string> missing;     // in the module, not in the checkpoint
  std::vector<std::string> unexpected;  // in the checkpoint, not in the module
  std::vector<ShapeMismatch> mismatched;
  bool complete() const { return missing.empty() && unexpected.empty() && mismatched.empty(); }
  // One line, e.g. "2 missing (a, b); 1 unexpected (c); 1 shape mismatch (d: model [2,3], checkpoint [3,2])".
  std::string summary() const;
};

struct ModuleLoadOptions {
  bool allow_missing = false;
  bool allow_unexpected = false;
  bool allow_shape_mismatch = false;  // mismatched tensors are then left untouched
};

// Every parameter and buffer of the module (recursively), in registration order.
NamedTensors module_tensors(const torch::nn::Module& module);

// Checks everything first, so a refused load leaves the module unchanged. Throws FormatError
// "<source>: checkpoint does not match the model: <summary>" unless the options allow each problem.
// Values are converted to the parameter's dtype and device.
LoadReport load_into_module(torch::nn::Module& module, const NamedTensors& tensors,
                            const ModuleLoadOptions& options = {}, const std::string& source = "checkpoint");

}  // namespace spe::io
