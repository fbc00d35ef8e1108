#include "plot/png_writer.hpp"

#include <fcntl.h>
#include <png.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

namespace spe::plot {
namespace {

static_assert(sizeof(Rgb) == 3, "Rgb must be three packed bytes: it is handed to libpng as RGB rows");

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& verb, const std::string& why) {
  throw std::runtime_error("cannot " + verb + " " + path.string() + ": " + why);
}

// Writes `bytes` to a temporary file beside `path`, fsyncs it and renames it over `path`.
void write_atomically(const std::filesystem::path& path, const void* bytes, std::size_t size) {
  const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  // Built by appending: GCC 12 warns falsely (-Wrestrict) on "." + std::string.
  std::string name(1, '.');
  name.append(path.filename().string()).append(".tmp.").append(std::to_string(::getpid()));
  const std::filesystem::path temp = folder / name;
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(path, "write", std::strerror(errno));
  auto give_up = [&](const std::string& why) {
    ::close(fd);
    ::unlink(temp.c_str());
    fail(path, "write", why);
  };
  const auto* p = static_cast<const char*>(bytes);
  std::size_t left = size;
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) give_up(n < 0 ? std::strerror(errno) : "short write");
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) give_up(std::strerror(errno));
  if (::close(fd) != 0) {
    ::unlink(temp.c_str());
    fail(path, "write", std::strerror(errno));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(temp.c_str());
    fail(path, "write", why);
  }
  // Make the rename itself durable (best effort: some file systems refuse fsync on folders).
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace

void write_png_rgb(const std::filesystem::path& path, int width, int height, const std::vector<Rgb>& pixels) {
  if (width < 1 || height < 1)
    fail(path, "write", "image size " + std::to_string(width) + " x " + std::to_string(height) + " is empty");
  if (pixels.size() != static_cast<std::size_t>(width) * static_cast<std::size_t>(height))
    fail(path, "write", std::to_string(pixels.size()) + " pixels for a " + std::to_string(width) + " x " +
                            std::to_string(height) + " image");
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(width);
  image.height = static_cast<png_uint_32>(height);
  image.format = PNG_FORMAT_RGB;
  const png_int_32 stride = 3 * width;
  // First call: the encoded size; second call: the bytes.
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), stride, nullptr)) {
    const std::string why = image.message;
    png_image_free(&image);
    fail(path, "write", "libpng: " + why);
  }
  std::vector<unsigned char> bytes(size);
  if (!png_image_write_to_memory(&image, bytes.data(), &size, 0, pixels.data(), stride, nullptr)) {
    const std::string why = image.message;
    png_image_free(&image);
    fail(path, "write", "libpng: " + why);
  }
  png_image_free(&image);
  write_atomically(path, bytes.data(), size);
}

RgbImage read_png_rgb(const std::filesystem::path& path) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path.c_str())) {
    const std::string why = image.message;
    png_image_free(&image);
    fail(path, "read", why.empty() ? std::string("not a PNG file") : why);
  }
  image.format = PNG_FORMAT_RGB;
  RgbImage out;
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.pixels.resize(static_cast<std::size_t>(image.width) * image.height);
  if (!png_image_finish_read(&image, nullptr, out.pixels.data(), static_cast<png_int_32>(3 * image.width), nullptr)) {
    const std::string why = image.message;
    png_image_free(&image);
    fail(path, "read", why);
  }
  png_image_free(&image);
  return out;
}

}  // namespace spe::plot
