// tree_diff_test.cpp: write_layer_from_diff, the copying snapshotter's layers: what changed is
// written, what did not is left out, and applying the diff to the lower tree gives the upper one.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "layer_test_support.hpp"
#include "support/skip.hpp"

namespace dbuild::snapshot::test {
namespace {

constexpr std::int64_t kLowerTime = 1'600'000'000;
constexpr std::int64_t kUpperTime = 1'700'000'000;

void build_lower(const fs::path& root) {
  make_directory(root / "a");
  write_file(root / "a/keep", "keep");
  write_file(root / "a/modify", "old");
  write_file(root / "a/delete", "bye");
  make_directory(root / "b");
  write_file(root / "b/untouched", "same");
  write_file(root / "c", "file that becomes a directory");
  make_directory(root / "d");
  write_file(root / "d/inside", "directory that becomes a file");
  make_directory(root / "e");
  make_directory(root / "e/sub");
  write_file(root / "e/sub/deep", "deep");
  make_directory(root / "gone");
  write_file(root / "gone/inside", "g");
  make_symlink("target-one", root / "link");
  write_file(root / "meta", "m");
  for (const auto& [path, state] : describe_tree(root)) set_mtime(root / path, kLowerTime, 0);
}

// The lower tree, changed: directories keep their old mtimes unless said otherwise, so that
// only their contents changed.
void build_upper(const fs::path& root) {
  build_lower(root);
  write_file(root / "a/modify", "new!");
  set_mtime(root / "a/modify", kUpperTime, 0);
  fs::remove(root / "a/delete");
  write_file(root / "a/new", "hello");
  set_mtime(root / "a/new", kUpperTime, 0);
  fs::remove(root / "c");
  make_directory(root / "c");
  write_file(root / "c/inside", "now a dir");
  fs::remove_all(root / "d");
  write_file(root / "d", "now a file");
  fs::remove_all(root / "gone");
  fs::remove(root / "link");
  make_symlink("target-two", root / "link");
  ::chmod((root / "meta").c_str(), 0600);
  for (const char* path : {"c/inside", "c", "d", "link"}) set_mtime(root / path, kUpperTime, 0);
  for (const char* path : {"a", "b", "e", "e/sub", "meta"}) set_mtime(root / path, kLowerTime, 0);
}

}  // namespace

TEST_CASE("a diff writes what was added, changed or deleted, and the directories above it", "[snapshot][layer]") {
  TempDir lower;
  TempDir upper;
  build_lower(lower.path());
  build_upper(upper.path());
  const auto tar = write_diff(lower.path(), upper.path());
  CHECK(tar_names(tar) == std::vector<std::string>{".wh.gone", "a/", "a/.wh.delete", "a/modify", "a/new", "c/",
                                                   "c/inside", "d", "link", "meta"});
}

TEST_CASE("applying a diff to the lower tree gives the upper tree", "[snapshot][layer]") {
  TempDir lower;
  TempDir upper;
  build_lower(lower.path());
  build_upper(upper.path());
  const auto tar = write_diff(lower.path(), upper.path());
  auto stats = apply_bytes(tar, lower.path(), WhiteoutFormat::Delete);
  INFO(stats.status().to_string());
  REQUIRE(stats.has_value());
  CHECK(format_tree(describe_tree(lower.path())) == format_tree(describe_tree(upper.path())));
}

TEST_CASE("a diff notices owner and xattr changes, not only contents", "[snapshot][layer]") {
  dbuild::test::require_root();
  TempDir lower;
  TempDir upper;
  for (const auto* root : {&lower, &upper}) {
    write_file(*root / "owned", "o");
    write_file(*root / "tagged", "t");
    make_directory(*root / "dir");
  }
  set_owner(upper / "owned", 1000, 1000);
  set_xattr(upper / "tagged", "user.tag", "v");
  set_xattr(upper / "dir", "user.tag", "v");
  for (const auto* root : {&lower, &upper}) {
    for (const char* path : {"owned", "tagged", "dir"}) set_mtime(*root / path, kLowerTime, 0);
  }
  const auto tar = write_diff(lower.path(), upper.path());
  CHECK(tar_names(tar) == std::vector<std::string>{"dir/", "owned", "tagged"});
  REQUIRE(apply_bytes(tar, lower.path(), WhiteoutFormat::Delete).has_value());
  CHECK(format_tree(describe_tree(lower.path())) == format_tree(describe_tree(upper.path())));
}

TEST_CASE("identical trees give an empty layer", "[snapshot][layer]") {
  TempDir lower;
  TempDir upper;
  build_lower(lower.path());
  build_lower(upper.path());
  const auto tar = write_diff(lower.path(), upper.path());
  CHECK(tar_names(tar).empty());
  CHECK(tar == std::string(1024, '\0'));
}

TEST_CASE("a diff against no lower tree writes everything, like an upper dir", "[snapshot][layer]") {
  TempDir upper;
  build_upper(upper.path());
  CHECK(write_diff("", upper.path()) == write_upper(upper.path()));
}

TEST_CASE("a diff keeps hardlinks among the files it writes", "[snapshot][layer]") {
  TempDir lower;
  TempDir upper;
  write_file(upper / "one", "shared");
  fs::create_hard_link(upper / "one", upper / "two");
  const auto tar = write_diff(lower.path(), upper.path());
  CHECK(tar_names(tar) == std::vector<std::string>{"one", "two"});
  REQUIRE(apply_bytes(tar, lower.path(), WhiteoutFormat::Delete).has_value());
  CHECK(describe_tree(lower.path()).at("two").link_group == "one");
}

}  // namespace dbuild::snapshot::test
