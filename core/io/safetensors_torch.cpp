#include "io/safetensors_torch.hpp"

#include <ATen/ATen.h>
#include <span>
#include <stdexcept>

namespace spe::io {

std::optional<DType> dtype_from_torch(c10::ScalarType type) {
  switch (type) {
    case c10::ScalarType::Double: return DType::F64;
    case c10::ScalarType::Float: return DType::F32;
    case c10::ScalarType::Half: return DType::F16;
    case c10::ScalarType::BFloat16: return DType::BF16;
    case c10::ScalarType::Long: return DType::I64;
    case c10::ScalarType::Int: return DType::I32;
    case c10::ScalarType::Short: return DType::I16;
    case c10::ScalarType::Char: return DType::I8;
    case c10::ScalarType::Byte: return DType::U8;
    case c10::ScalarType::Bool: return DType::BOOL;
    default: return std::nullopt;
  }
}

c10::ScalarType torch_dtype(DType dtype) {
  switch (dtype) {
    case DType::F64: return c10::ScalarType::Double;
    case DType::F32: return c10::ScalarType::Float;
    case DType::F16: return c10::ScalarType::Half;
    case DType::BF16: return c10::ScalarType::BFloat16;
    case DType::I64: return c10::ScalarType::Long;
    case DType::I32: return c10::ScalarType::Int;
    case DType::I16: return c10::ScalarType::Short;
    case DType::I8: return c10::ScalarType::Char;
    case DType::U8: return c10::ScalarType::Byte;
    case DType::BOOL: return c10::ScalarType::Bool;
  }
  throw std::logic_error("unhandled DType");
}

at::Tensor read_tensor(const SafetensorsFile& file, const TensorInfo& info, const TensorReadOptions& options) {
  // Checked before allocating: a description from another file could ask for any amount of memory.
  const TensorInfo* own = file.find(info.name);
  if (!own || own->dtype != info.dtype || own->shape != info.shape || own->begin != info.begin || own->end != info.end) {
    throw std::invalid_argument(file.path().string() + ": '" + info.name + "' is not a tensor of this file");
  }
  // Read straight into owned tensor memory: the tensor outlives the file object, and offsets in foreign
  // files need not be aligned for the dtype.
  // BOOL goes through U8 so that a byte other than 0/1 becomes true instead of an invalid bool.
  const DType storage = info.dtype == DType::BOOL ? DType::U8 : info.dtype;
  at::Tensor tensor = at::empty(info.shape, at::TensorOptions().dtype(torch_dtype(storage)));
  file.read_bytes(info, std::span<std::byte>(static_cast<std::byte*>(tensor.data_ptr()), tensor.nbytes()));
  if (info.dtype == DType::BOOL) tensor = tensor.ne(0);
  if (options.float_dtype && dtype_is_floating(info.dtype)) tensor = tensor.to(*options.float_dtype);
  if (options.device != tensor.device()) tensor = tensor.to(options.device);
  return tensor;
}

NamedTensors read_safetensors(const std::filesystem::path& path, const TensorReadOptions& options,
                              std::map<std::string, std::string>* metadata) {
  const auto file = SafetensorsFile::open(path);
  NamedTensors out;
  out.reserve(file.tensors().size());
  for (const auto& info : file.tensors()) out.emplace_back(info.name, read_tensor(file, info, options));
  if (metadata) *metadata = file.metadata();
  return out;
}

void write_safetensors(const std::filesystem::path& path, const NamedTensors& tensors,
                       const TensorWriteOptions& options, const std::map<std::string, std::string>& metadata) {
  if (options.float_dtype && !dtype_is_floating(*options.float_dtype)) {
    throw FormatError(path.string() + ": cannot store floating-point tensors as " +
                      std::string(dtype_name(*options.float_dtype)));
  }
  std::vector<at::Tensor> keep_alive;  // contiguous CPU copies backing the byte spans
  std::vector<TensorBytes> entries;
  keep_alive.reserve(tensors.size());
  for (const auto& [name, tensor] : tensors) {
    if (!tensor.defined()) throw FormatError(path.string() + ": tensor '" + name + "' is undefined");
    auto dtype = dtype_from_torch(tensor.scalar_type());
    if (!dtype) {
      throw FormatError(path.string() + ": tensor '" + name + "': torch dtype " +
                        std::string(c10::toString(tensor.scalar_type())) + " has no safetensors equivalent");
    }
    at::Tensor cpu = tensor.detach().to(at::kCPU);
    if (options.float_dtype && dtype_is_floating(*dtype)) {
      dtype = options.float_dtype;
      cpu = cpu.to(torch_dtype(*dtype));
    }
    cpu = cpu.contiguous();
    keep_alive.push_back(cpu);
    entries.push_back({name, *dtype, cpu.sizes().vec(),
                       std::span<const std::byte>(static_cast<const std::byte*>(cpu.data_ptr()), cpu.nbytes())});
  }
  write_safetensors(path, std::move(entries), metadata);
}

}  // namespace spe::io
