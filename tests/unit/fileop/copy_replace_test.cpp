// copy_replace_test.cpp: copying over what the destination already has: files replaced,
// directories merged, and the type changes BuildKit refuses, with its wording.
#include <catch2/catch.hpp>

#include "fileop_test_support.hpp"
#include "support/skip.hpp"

namespace dbuild::fileop::test {
namespace {

sdk::CopyAction copy_of(std::string src, std::string dest) {
  sdk::CopyAction action;
  action.src = std::move(src);
  action.dest = std::move(dest);
  return action;
}

void require_ok(const sdk::Status& status) {
  INFO(status.to_string());
  REQUIRE(status.is_ok());
}

}  // namespace

TEST_CASE("a file overwrites a file, with the source's metadata", "[fileop][copy][replace]") {
  Trees trees;
  write_file(trees.src() / "f", "new", 0600);
  write_file(trees.dest() / "f", "old contents that are longer", 0777);
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/f", "/f")));
  CHECK(read_file(trees.dest() / "f") == "new");
  CHECK(describe(trees.dest() / "f").mode == 0600);
}

TEST_CASE("a file replaces a symlink at its path instead of writing through it", "[fileop][copy][replace]") {
  Trees trees;
  dbuild::test::TempDir outside;
  write_file(outside.path() / "victim", "untouched");
  write_file(trees.src() / "d" / "f", "new");
  make_symlink((outside.path() / "victim").string(), trees.dest() / "out" / "f");
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/d", "/out")));
  CHECK(describe(trees.dest() / "out" / "f").type == 'f');
  CHECK(read_file(trees.dest() / "out" / "f") == "new");
  CHECK(read_file(outside.path() / "victim") == "untouched");
}

TEST_CASE("a directory merges into an existing one", "[fileop][copy][replace]") {
  dbuild::test::require_root();
  Trees trees;
  write_file(trees.src() / "d" / "new", "n");
  write_file(trees.src() / "d" / "sub" / "inner", "i");
  make_dir(trees.src() / "d" / "sub", 0700);
  set_mtime(trees.src() / "d", 1'111'111'111);
  write_file(trees.dest() / "out" / "old", "o");
  write_file(trees.dest() / "out" / "sub" / "kept", "k");
  make_dir(trees.dest() / "out", 0710);
  set_owner(trees.dest() / "out", 5, 6);
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/d", "/out")));
  CHECK(paths_of(trees.dest() / "out") == std::vector<std::string>{"new", "old", "sub", "sub/inner", "sub/kept"});
  const auto out = describe(trees.dest() / "out");
  CHECK(out.mode == 0710);  // the destination directory keeps its owner and mode...
  CHECK(out.uid == 5);
  CHECK(out.mtime == 1'111'111'111);                           // ...and takes the source's times
  CHECK(describe(trees.dest() / "out" / "sub").mode == 0700);  // merged directories below take the source's
}

TEST_CASE("a file cannot replace a directory", "[fileop][copy][replace]") {
  Trees trees;
  write_file(trees.src() / "d" / "x", "file");
  write_file(trees.dest() / "out" / "x" / "inside", "kept");
  auto status = run_copy(trees.src(), trees.dest(), copy_of("/d", "/out"));
  CHECK(status.code() == sdk::Code::FailedPrecondition);
  CHECK(status.message() == "cannot replace to directory /out/x with file");
  CHECK(read_file(trees.dest() / "out" / "x" / "inside") == "kept");
}

TEST_CASE("a directory cannot replace a file or a symlink", "[fileop][copy][replace]") {
  Trees trees;
  write_file(trees.src() / "d" / "x" / "inside", "i");
  write_file(trees.dest() / "out" / "x", "file");
  auto status = run_copy(trees.src(), trees.dest(), copy_of("/d", "/out"));
  CHECK(status.code() == sdk::Code::FailedPrecondition);
  CHECK(status.message() == "cannot copy to non-directory: /out/x");
  make_dir(trees.dest() / "real");
  make_symlink("real", trees.dest() / "link" / "x");
  status = run_copy(trees.src(), trees.dest(), copy_of("/d", "/link"));
  CHECK(status.message() == "cannot copy to non-directory: /link/x");
}

TEST_CASE("a single file onto an existing file replaces it: onto the root it goes inside", "[fileop][copy][replace]") {
  Trees trees;
  write_file(trees.src() / "f", "new");
  CHECK(run_copy(trees.src(), trees.dest(), copy_of("/f", "/")).is_ok());
  CHECK(read_file(trees.dest() / "f") == "new");
}

TEST_CASE("a copy within one tree into a directory below its source ends", "[fileop][copy][replace]") {
  dbuild::test::TempDir tree;
  write_file(tree.path() / "a" / "f", "f");
  write_file(tree.path() / "a" / "sub" / "g", "g");
  auto status = run_copy(tree.path(), tree.path(), copy_of("/a", "/a/b/"));
  INFO(status.to_string());
  REQUIRE(status.is_ok());
  CHECK(read_file(tree.path() / "a" / "b" / "f") == "f");
  CHECK(read_file(tree.path() / "a" / "b" / "sub" / "g") == "g");
  CHECK_FALSE(path_exists(tree.path() / "a" / "b" / "b" / "b"));
}

}  // namespace dbuild::fileop::test
