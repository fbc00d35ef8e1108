#pragma once
// Our own reader/writer of the safetensors format (https://github.com/huggingface/safetensors):
//   8-byte little-endian header length N | N bytes of JSON header | data buffer.
// The header maps each tensor name to {dtype, shape, data_offsets: [begin, end)} (offsets relative to the
// buffer) plus an optional "__metadata__" object of string → string. Nothing is ever unpickled or executed.
// This header is torch-free; conversions to torch::Tensor live in io/safetensors_torch.hpp.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace spe::io {

// Any malformed or inconsistent checkpoint/safetensors input. The message is one line naming the file
// (and the tensor or field when there is one); control characters (e.g. a newline inside a hostile tensor
// name) are shown as '?' so the message stays one line.
struct FormatError : std::runtime_error {
  explicit FormatError(const std::string& message);
};

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

std::string_view dtype_name(DType dtype);                  // "F32", "BF16", ...
std::optional<DType> dtype_from_name(std::string_view name);  // nullopt when unknown
std::size_t dtype_size(DType dtype);                       // bytes per element
bool dtype_is_floating(DType dtype);
std::string format_shape(const std::vector<std::int64_t>& shape);  // "[2,3]", as in error messages

struct TensorInfo {
  std::string name;
  DType dtype = DType::F32;
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0;  // byte range in the data buffer, [begin, end)
  std::uint64_t end = 0;
  std::uint64_t numel() const;
  std::uint64_t byte_size() const { return end - begin; }
};

// A validated safetensors file. Opening checks the whole header against the file size (see `open`);
// tensor bytes are then read lazily with pread, so memory use stays bounded. The file is deliberately not
// memory-mapped: a mapping turns a file truncated by another process into SIGBUS (or silently zero bytes)
// in whatever code touches it, whereas a short read is reported as a FormatError.
class SafetensorsFile {
 public:
  // Throws FormatError ("<file>: ...") when the file is truncated, the header length exceeds the file,
  // the header is not JSON or not the expected structure, a dtype is unknown, a name is duplicated, a
  // tensor's dtype × shape disagrees with its byte range, a range leaves the buffer, two ranges overlap,
  // or bytes of the buffer are not used by any tensor.
  static SafetensorsFile open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  // Tensors sorted by name.
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const TensorInfo* find(std::string_view name) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // Reads the raw little-endian bytes of tensor `info` of this file into `out` (exactly info.byte_size()
  // bytes). Throws FormatError ("<file>: tensor '<name>': ...") when the file shrank or cannot be read since
  // it was opened; std::invalid_argument when `info` lies outside this file's data buffer or `out` has the
  // wrong size (a TensorInfo of another file).
  void read_bytes(const TensorInfo& info, std::span<std::byte> out) const;

 private:
  struct Descriptor;  // the open file, shared by copies of this object
  std::filesystem::path path_;
  std::shared_ptr<Descriptor> descriptor_;
  std::uint64_t buffer_offset_ = 0;  // file offset of the data buffer
  std::uint64_t buffer_size_ = 0;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, std::string> metadata_;
};

// One tensor to write: its bytes must already be in `dtype`, little-endian, C-contiguous.
struct TensorBytes {
  std::string name;
  DType dtype = DType::F32;
  std::vector<std::int64_t> shape;
  std::span<const std::byte> bytes;
};

// Writes atomically (temporary file + rename). Tensors are laid out in name order; the header is padded
// with spaces so the data buffer starts 8-byte aligned. Throws FormatError on a duplicate or empty name,
// a byte count that disagrees with dtype × shape, or a name equal to "__metadata__".
void write_safetensors(const std::filesystem::path& path, std::vector<TensorBytes> tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace spe::io
