#pragma once
// Writes a file so that readers see either the old content or the complete new one, never a torn file:
// data goes to a temporary file in the same folder, is flushed to disk, then renamed over the target.

#include <cstddef>
#include <filesystem>
#include <span>
#include <string_view>

namespace spe::io {

class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(std::filesystem::path target);  // throws std::runtime_error naming the file
  ~AtomicFileWriter();  // removes the temporary file unless commit() succeeded
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(std::span<const std::byte> bytes);
  void write(std::string_view text);
  void commit();  // fsync + rename; after this the target holds exactly what was written

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  int fd_ = -1;
  bool committed_ = false;
};

void write_file_atomically(const std::filesystem::path& target, std::string_view content);

}  // namespace spe::io
