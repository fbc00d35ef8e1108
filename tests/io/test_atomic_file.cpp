// Atomic writes: readers see the old file or the complete new one, and abandoned writes leave no litter.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "io/atomic_file.hpp"
#include "test_paths.hpp"

namespace fs = std::filesystem;
using spe::io::AtomicFileWriter;

namespace {

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t entries(const fs::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace

TEST_CASE("atomic writer replaces the target only on commit") {
  const auto dir = spe::test::scratch_dir("io_atomic_file");
  const auto target = dir / "file.txt";
  spe::io::write_file_atomically(target, "old");
  {
    AtomicFileWriter writer(target);
    writer.write("new content");
    CHECK(read_all(target) == "old");  // not visible before commit
    CHECK(entries(dir) == 2);          // target + temporary
  }                                    // abandoned: no commit
  CHECK(read_all(target) == "old");
  CHECK(entries(dir) == 1);

  {
    AtomicFileWriter writer(target);
    writer.write("new ");
    writer.write("content");
    writer.commit();
  }
  CHECK(read_all(target) == "new content");
  CHECK(entries(dir) == 1);
  struct stat st {};
  REQUIRE(::stat(target.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
}

TEST_CASE("atomic writer names the file when the folder does not exist") {
  const auto dir = spe::test::scratch_dir("io_atomic_file_missing");
  CHECK_THROWS_WITH(spe::io::write_file_atomically(dir / "absent" / "file.txt", "x"),
                    Catch::Contains("absent/file.txt") && Catch::Contains("cannot create temporary file"));
}
