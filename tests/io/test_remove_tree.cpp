#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "io/remove_tree.hpp"
#include "test_paths.hpp"

namespace fs = std::filesystem;
using spe::io::remove_tree;

TEST_CASE("remove_tree deletes nested folders and files, leaves link targets alone, accepts missing paths") {
  const auto root = spe::test::scratch_dir("io_remove_tree");
  const auto outside = root / "outside";
  fs::create_directories(outside);
  std::ofstream(outside / "keep.txt") << "kept";
  const auto tree = root / "tree";
  fs::create_directories(tree / "a" / "b" / "c");
  std::ofstream(tree / "top.txt") << "x";
  std::ofstream(tree / "a" / "b" / "c" / "deep.bin") << "y";
  fs::create_directory_symlink(outside, tree / "a" / "link-to-outside");

  remove_tree(tree);
  CHECK_FALSE(fs::exists(tree));
  // The link was removed, not followed.
  CHECK(fs::exists(outside / "keep.txt"));

  CHECK_NOTHROW(remove_tree(root / "never-existed"));
  std::ofstream(root / "single.txt") << "z";
  remove_tree(root / "single.txt");
  CHECK_FALSE(fs::exists(root / "single.txt"));
}
