#pragma once
// torch::Tensor ⇄ safetensors. Includes only ATen's Tensor header, not <torch/torch.h>.

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "io/safetensors.hpp"

namespace spe::io {

// Ordered (name, tensor) pairs: the order of a module's named_parameters(), or of a file.
using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

std::optional<DType> dtype_from_torch(c10::ScalarType type);  // nullopt when safetensors has no such dtype
c10::ScalarType torch_dtype(DType dtype);

struct TensorReadOptions {
  c10::Device device = c10::Device(c10::DeviceType::CPU);
  // When set, floating-point tensors are converted to this type (e.g. F16/BF16 → F32); integer and bool
  // tensors keep their stored type.
  std::optional<c10::ScalarType> float_dtype;
};

struct TensorWriteOptions {
  // When set, floating-point tensors are stored in this dtype (F32, F16, BF16 or F64); others unchanged.
  std::optional<DType> float_dtype;
};

// A copy of one tensor of an opened file (owned memory, independent of the file object).
at::Tensor read_tensor(const SafetensorsFile& file, const TensorInfo& info, const TensorReadOptions& options = {});

// All tensors of the file, sorted by name.
NamedTensors read_safetensors(const std::filesystem::path& path, const TensorReadOptions& options = {},
                              std::map<std::string, std::string>* metadata = nullptr);

// Tensors may live on any device and be non-contiguous; they are copied to contiguous CPU memory.
// Throws FormatError for a dtype safetensors cannot hold (e.g. complex), naming the tensor.
void write_safetensors(const std::filesystem::path& path, const NamedTensors& tensors,
                       const TensorWriteOptions& options = {},
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace spe::io
