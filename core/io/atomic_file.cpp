#include "io/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <string>
#include <unistd.h>

namespace spe::io {
namespace {

std::runtime_error os_error(const std::filesystem::path& path, const std::string& what) {
  return std::runtime_error(path.string() + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

AtomicFileWriter::AtomicFileWriter(std::filesystem::path target) : target_(std::move(target)) {
  // mkstemp gives a unique name, so concurrent writers of the same target never share a temp file.
  std::string pattern = target_.string() + ".tmp.XXXXXX";
  fd_ = ::mkstemp(pattern.data());
  if (fd_ < 0) throw os_error(target_, "cannot create temporary file");
  temp_ = pattern;
  ::fchmod(fd_, 0644);  // mkstemp creates 0600; checkpoints are meant to be shared like ordinary files
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) {
    std::error_code ignored;
    std::filesystem::remove(temp_, ignored);
  }
}

void AtomicFileWriter::write(std::span<const std::byte> bytes) {
  const auto* data = reinterpret_cast<const char*>(bytes.data());
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw os_error(target_, "write failed");
    }
    data += n;
    left -= std::size_t(n);
  }
}

void AtomicFileWriter::write(std::string_view text) {
  write(std::span<const std::byte>(reinterpret_cast<const std::byte*>(text.data()), text.size()));
}

void AtomicFileWriter::commit() {
  if (::fsync(fd_) != 0) throw os_error(target_, "fsync failed");
  if (::close(fd_) != 0) {
    fd_ = -1;
    throw os_error(target_, "close failed");
  }
  fd_ = -1;
  if (::rename(temp_.c_str(), target_.c_str()) != 0) throw os_error(target_, "cannot rename temporary file into place");
  committed_ = true;
  // Make the rename itself durable; failure here cannot undo the (already visible) new file.
  const auto parent = target_.parent_path().empty() ? std::filesystem::path(".") : target_.parent_path();
  const int dir_fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

void write_file_atomically(const std::filesystem::path& target, std::string_view content) {
  AtomicFileWriter writer(target);
  writer.write(content);
  writer.commit();
}

}  // namespace spe::io
