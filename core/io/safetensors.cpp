#include "io/safetensors.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "io/atomic_file.hpp"

namespace spe::io {

// The format is little-endian; tensors are handed out as raw bytes without swapping.
static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes a little-endian host");

namespace {

using nlohmann::json;

// Same bound as the reference implementation: a header this large is a corrupt length field.
constexpr std::uint64_t kMaxHeaderBytes = 100ull * 1024 * 1024;
constexpr const char* kMetadataKey = "__metadata__";

struct DTypeEntry {
  DType dtype;
  const char* name;
  std::size_t size;
  bool floating;
};
constexpr DTypeEntry kDTypes[] = {
    {DType::F64, "F64", 8, true},  {DType::F32, "F32", 4, true},   {DType::F16, "F16", 2, true},
    {DType::BF16, "BF16", 2, true}, {DType::I64, "I64", 8, false}, {DType::I32, "I32", 4, false},
    {DType::I16, "I16", 2, false}, {DType::I8, "I8", 1, false},    {DType::U8, "U8", 1, false},
    {DType::BOOL, "BOOL", 1, false}};

const DTypeEntry& entry(DType dtype) {
  for (const auto& e : kDTypes) {
    if (e.dtype == dtype) return e;
  }
  throw std::logic_error("unhandled DType");
}

std::string range_text(const TensorInfo& t) {
  std::string text = "[";
  text += std::to_string(t.begin);
  text += ",";
  text += std::to_string(t.end);
  text += ")";
  return text;
}

// Element count × element size, or nullopt on 64-bit overflow (a hostile shape).
std::optional<std::uint64_t> expected_bytes(DType dtype, const std::vector<std::int64_t>& shape) {
  std::uint64_t count = 1;
  for (std::int64_t dim : shape) {
    if (dim < 0) return std::nullopt;
    if (dim != 0 && count > UINT64_MAX / std::uint64_t(dim)) return std::nullopt;
    count *= std::uint64_t(dim);
  }
  const std::uint64_t size = dtype_size(dtype);
  if (count > UINT64_MAX / size) return std::nullopt;
  return count * size;
}

class HeaderParser {
 public:
  HeaderParser(const std::filesystem::path& path, std::uint64_t buffer_size)
      : file_(path.string()), buffer_size_(buffer_size) {}

  [[noreturn]] void fail(const std::string& what) const { throw FormatError(file_ + ": " + what); }
  [[noreturn]] void fail_tensor(const std::string& name, const std::string& what) const {
    fail("tensor '" + name + "': " + what);
  }

  json parse(std::string_view text) {
    // nlohmann keeps only one value per key, so duplicates must be caught while parsing.
    std::set<std::string> seen;
    std::string duplicate;
    auto on_event = [&](int depth, json::parse_event_t event, json& parsed) {
      if (event == json::parse_event_t::key && depth == 1) {
        const auto key = parsed.get<std::string>();
        if (!seen.insert(key).second && duplicate.empty()) duplicate = key;
      }
      return true;
    };
    json header;
    try {
      header = json::parse(text.begin(), text.end(), on_event);
    } catch (const json::parse_error& e) {
      fail(std::string("header is not valid JSON (") + e.what() + ")");
    }
    if (!duplicate.empty()) fail_tensor(duplicate, "name appears more than once in the header");
    if (!header.is_object()) fail("header is not a JSON object");
    return header;
  }

  std::uint64_t offset(const std::string& name, const json& value) const {
    if (!value.is_number_unsigned()) fail_tensor(name, "data_offsets must be non-negative integers");
    return value.get<std::uint64_t>();
  }

  TensorInfo tensor(const std::string& name, const json& spec) const {
    if (!spec.is_object()) fail_tensor(name, "entry is not a JSON object");
    TensorInfo info;
    info.name = name;
    const auto dtype_it = spec.find("dtype");
    if (dtype_it == spec.end() || !dtype_it->is_string()) fail_tensor(name, "missing string field 'dtype'");
    const auto dtype = dtype_from_name(dtype_it->get<std::string>());
    if (!dtype) fail_tensor(name, "unknown dtype '" + dtype_it->get<std::string>() + "'");
    info.dtype = *dtype;

    const auto shape_it = spec.find("shape");
    if (shape_it == spec.end() || !shape_it->is_array()) fail_tensor(name, "missing array field 'shape'");
    for (const auto& dim : *shape_it) {
      if (!dim.is_number_unsigned()) fail_tensor(name, "shape entries must be non-negative integers");
      const auto value = dim.get<std::uint64_t>();
      if (value > std::uint64_t(INT64_MAX)) fail_tensor(name, "shape entry too large");
      info.shape.push_back(std::int64_t(value));
    }

    const auto offsets_it = spec.find("data_offsets");
    if (offsets_it == spec.end() || !offsets_it->is_array() || offsets_it->size() != 2) {
      fail_tensor(name, "missing field 'data_offsets' [begin, end]");
    }
    info.begin = offset(name, (*offsets_it)[0]);
    info.end = offset(name, (*offsets_it)[1]);
    if (info.end < info.begin) fail_tensor(name, "data_offsets " + range_text(info) + " end before they begin");
    if (info.end > buffer_size_) {
      fail_tensor(name, "data_offsets " + range_text(info) + " lie outside the data buffer of " +
                            std::to_string(buffer_size_) + " bytes");
    }
    const auto needed = expected_bytes(info.dtype, info.shape);
    if (!needed) fail_tensor(name, "shape " + format_shape(info.shape) + " overflows");
    if (*needed != info.byte_size()) {
      fail_tensor(name, std::string("dtype ") + std::string(dtype_name(info.dtype)) + " x shape " +
                            format_shape(info.shape) + " needs " + std::to_string(*needed) + " bytes but data_offsets " +
                            range_text(info) + " hold " + std::to_string(info.byte_size()));
    }
    return info;
  }

  std::map<std::string, std::string> metadata(const json& value) const {
    if (!value.is_object()) fail("__metadata__ is not a JSON object");
    std::map<std::string, std::string> out;
    for (const auto& [key, item] : value.items()) {
      if (!item.is_string()) fail("__metadata__ entry '" + key + "' is not a string");
      out[key] = item.get<std::string>();
    }
    return out;
  }

  // Every buffer byte must belong to exactly one tensor: no overlaps, no gaps, nothing trailing.
  void check_coverage(const std::vector<TensorInfo>& tensors) const {
    std::vector<const TensorInfo*> by_offset;
    for (const auto& t : tensors) by_offset.push_back(&t);
    std::sort(by_offset.begin(), by_offset.end(), [](const TensorInfo* a, const TensorInfo* b) {
      return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    std::uint64_t covered = 0;
    const TensorInfo* previous = nullptr;
    for (const TensorInfo* t : by_offset) {
      if (t->begin < covered) {
        fail_tensor(t->name, "data_offsets " + range_text(*t) + " overlap tensor '" + previous->name + "' " +
                                 range_text(*previous));
      }
      if (t->begin > covered) {
        fail_tensor(t->name, std::to_string(t->begin - covered) + " unused bytes before its data_offsets " +
                                 range_text(*t) + (previous ? " (after tensor '" + previous->name + "')" : ""));
      }
      covered = t->end;
      if (t->byte_size() > 0 || !previous) previous = t;
    }
    if (covered < buffer_size_) {
      fail(std::to_string(buffer_size_ - covered) + " unused bytes at the end of the data buffer" +
           (previous ? " (after tensor '" + previous->name + "')" : ""));
    }
  }

 private:
  std::string file_;
  std::uint64_t buffer_size_;
};

std::uint64_t read_le64(const std::byte* bytes) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | std::uint64_t(bytes[i]);
  return value;
}

}  // namespace

namespace {

std::string one_line(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return text;
}

}  // namespace

FormatError::FormatError(const std::string& message) : std::runtime_error(one_line(message)) {}

std::string format_shape(const std::vector<std::int64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) text += ",";
    text += std::to_string(shape[i]);
  }
  text += "]";
  return text;
}

std::string_view dtype_name(DType dtype) { return entry(dtype).name; }
std::size_t dtype_size(DType dtype) { return entry(dtype).size; }
bool dtype_is_floating(DType dtype) { return entry(dtype).floating; }

std::optional<DType> dtype_from_name(std::string_view name) {
  for (const auto& e : kDTypes) {
    if (name == e.name) return e.dtype;
  }
  return std::nullopt;
}

std::uint64_t TensorInfo::numel() const {
  std::uint64_t count = 1;
  for (auto dim : shape) count *= std::uint64_t(dim);
  return count;
}

struct SafetensorsFile::Descriptor {
  int fd = -1;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

namespace {

// Reads up to `size` bytes at `offset`; fewer only at end of file. Throws FormatError on an I/O error.
std::size_t read_at(int fd, const std::string& file, std::uint64_t offset, std::byte* out, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, out + done, size - done, off_t(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw FormatError(file + ": read error: " + std::strerror(errno));
    }
    if (n == 0) break;
    done += std::size_t(n);
  }
  return done;
}

}  // namespace

SafetensorsFile SafetensorsFile::open(const std::filesystem::path& path) {
  SafetensorsFile file;
  file.path_ = path;
  const std::string name = path.string();

  auto descriptor = std::make_shared<Descriptor>();
  descriptor->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor->fd < 0) throw FormatError(name + ": cannot open: " + std::strerror(errno));
  const int fd = descriptor->fd;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) throw FormatError(name + ": not a regular file");
  const auto file_size = std::uint64_t(st.st_size);
  if (file_size < 8) {
    throw FormatError(name + ": file is truncated (" + std::to_string(file_size) +
                      " bytes, the 8-byte header length is missing)");
  }
  std::byte length_field[8];
  if (read_at(fd, name, 0, length_field, 8) != 8) throw FormatError(name + ": file shrank while being opened");
  const std::uint64_t header_size = read_le64(length_field);
  if (header_size > file_size - 8) {
    throw FormatError(name + ": header length " + std::to_string(header_size) + " exceeds the " +
                      std::to_string(file_size - 8) + " bytes after the length field (truncated or corrupt file)");
  }
  if (header_size > kMaxHeaderBytes) {
    throw FormatError(name + ": header length " + std::to_string(header_size) + " exceeds the 100 MiB limit");
  }
  std::string header_text(std::size_t(header_size), '\0');
  if (read_at(fd, name, 8, reinterpret_cast<std::byte*>(header_text.data()), header_text.size()) != header_text.size()) {
    throw FormatError(name + ": file shrank while its header was being read");
  }
  file.buffer_offset_ = 8 + header_size;
  file.buffer_size_ = file_size - file.buffer_offset_;

  HeaderParser parser(path, file.buffer_size_);
  const json header = parser.parse(header_text);
  for (const auto& [key, value] : header.items()) {
    if (key == kMetadataKey) {
      file.metadata_ = parser.metadata(value);
    } else {
      file.tensors_.push_back(parser.tensor(key, value));
    }
  }
  parser.check_coverage(file.tensors_);
  std::sort(file.tensors_.begin(), file.tensors_.end(),
            [](const TensorInfo& a, const TensorInfo& b) { return a.name < b.name; });
  file.descriptor_ = std::move(descriptor);
  return file;
}

const TensorInfo* SafetensorsFile::find(std::string_view name) const {
  auto it = std::lower_bound(tensors_.begin(), tensors_.end(), name,
                             [](const TensorInfo& t, std::string_view n) { return t.name < n; });
  return it != tensors_.end() && it->name == name ? &*it : nullptr;
}

void SafetensorsFile::read_bytes(const TensorInfo& info, std::span<std::byte> out) const {
  if (info.end < info.begin || info.end > buffer_size_) {
    throw std::invalid_argument(path_.string() + ": tensor '" + info.name + "': data_offsets " + range_text(info) +
                                " are not inside this file's data buffer of " + std::to_string(buffer_size_) + " bytes");
  }
  if (out.size() != info.byte_size()) {
    throw std::invalid_argument(path_.string() + ": tensor '" + info.name + "': destination holds " +
                                std::to_string(out.size()) + " bytes, the tensor " + std::to_string(info.byte_size()));
  }
  if (out.empty()) return;
  const std::string name = path_.string();
  const std::size_t got = read_at(descriptor_->fd, name, buffer_offset_ + info.begin, out.data(), out.size());
  if (got != out.size()) {
    throw FormatError(name + ": tensor '" + info.name + "': file ends " + std::to_string(info.byte_size() - got) +
                      " bytes short of its data_offsets " + range_text(info) + " (the file changed after it was opened)");
  }
}

void write_safetensors(const std::filesystem::path& path, std::vector<TensorBytes> tensors,
                       const std::map<std::string, std::string>& metadata) {
  const std::string file = path.string();
  std::sort(tensors.begin(), tensors.end(), [](const TensorBytes& a, const TensorBytes& b) { return a.name < b.name; });
  json header = json::object();
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  std::uint64_t offset = 0;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const auto& t = tensors[i];
    if (t.name.empty()) throw FormatError(file + ": cannot write a tensor with an empty name");
    if (t.name == kMetadataKey) throw FormatError(file + ": '__metadata__' is reserved and cannot name a tensor");
    if (i > 0 && tensors[i - 1].name == t.name) throw FormatError(file + ": tensor '" + t.name + "' given twice");
    const auto needed = expected_bytes(t.dtype, t.shape);
    if (!needed || *needed != t.bytes.size()) {
      throw FormatError(file + ": tensor '" + t.name + "': " + std::to_string(t.bytes.size()) +
                        " bytes given for dtype " + std::string(dtype_name(t.dtype)) + " x shape " + format_shape(t.shape));
    }
    header[t.name] = {{"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + *needed}}};
    offset += *needed;
  }
  std::string text = header.dump();
  // Pad with spaces (valid JSON whitespace) so that the data buffer starts on an 8-byte boundary.
  text.append((8 - text.size() % 8) % 8, ' ');
  std::byte length[8];
  for (int i = 0; i < 8; ++i) length[i] = std::byte((text.size() >> (8 * i)) & 0xFF);

  AtomicFileWriter writer(path);
  writer.write(std::span<const std::byte>(length, 8));
  writer.write(text);
  for (const auto& t : tensors) writer.write(t.bytes);
  writer.commit();
}

}  // namespace spe::io
