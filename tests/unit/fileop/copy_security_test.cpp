// copy_security_test.cpp: hostile trees: symlinks and ".." in either tree never make a copy
// read or write outside its roots.
#include <catch2/catch.hpp>

#include "fileop_test_support.hpp"

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

TEST_CASE("a source symlink to an absolute path resolves inside the source tree", "[fileop][copy][security]") {
  Trees trees;
  dbuild::test::TempDir outside;
  write_file(outside.path() / "secret", "host secret");
  make_symlink((outside.path() / "secret").string(), trees.src() / "link");
  auto status = run_copy(trees.src(), trees.dest(), copy_of("/link", "/out"));
  CHECK(status.code() == sdk::Code::NotFound);
  write_file(trees.src() / outside.path().relative_path() / "secret", "tree's own");
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/link", "/out")));
  CHECK(read_file(trees.dest() / "out") == "tree's own");
}

TEST_CASE("a source path or symlink climbing with .. stays in the source tree", "[fileop][copy][security]") {
  Trees trees;
  write_file(trees.src() / "etc" / "passwd", "tree passwd");
  make_symlink("../../../../../../../../etc/passwd", trees.src() / "sub" / "climb");
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/../../../../etc/passwd", "/a")));
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/sub/climb", "/b")));
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/sub/../../../etc/pass*", "/c")));
  CHECK(read_file(trees.dest() / "a") == "tree passwd");
  CHECK(read_file(trees.dest() / "b") == "tree passwd");
  CHECK(read_file(trees.dest() / "c") == "tree passwd");
}

TEST_CASE("a wildcard base behind a symlink to '/' is searched inside the source tree", "[fileop][copy][security]") {
  Trees trees;
  write_file(trees.src() / "only-here", "x");
  make_symlink("/", trees.src() / "root-link");
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/root-link/*", "/out/")));
  // The matches are the source tree's own entries, never the host's /etc, /usr...
  CHECK(paths_of(trees.dest() / "out") == std::vector<std::string>{"only-here", "root-link"});
}

TEST_CASE("a destination symlink to an absolute path is followed inside the destination tree",
          "[fileop][copy][security]") {
  Trees trees;
  dbuild::test::TempDir outside;
  write_file(trees.src() / "f", "payload");
  make_symlink(outside.path().string(), trees.dest() / "out");
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/f", "/out/")));
  CHECK(paths_of(outside.path()).empty());
  CHECK(read_file(trees.dest() / outside.path().relative_path() / "f") == "payload");
}

TEST_CASE("a destination symlink climbing with .. lands at the destination root", "[fileop][copy][security]") {
  Trees trees;
  write_file(trees.src() / "f", "payload");
  make_symlink("../../../../../../../..", trees.dest() / "deep" / "up");
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/f", "/deep/up/x")));
  CHECK(read_file(trees.dest() / "x") == "payload");
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/f", "/../../../y")));
  CHECK(read_file(trees.dest() / "y") == "payload");
}

TEST_CASE("a destination symlink met during the walk is never written through", "[fileop][copy][security]") {
  Trees trees;
  dbuild::test::TempDir outside;
  write_file(outside.path() / "victim", "untouched");
  write_file(trees.src() / "d" / "sub" / "victim", "payload");
  make_symlink(outside.path().string(), trees.dest() / "out" / "sub");
  auto status = run_copy(trees.src(), trees.dest(), copy_of("/d", "/out"));
  CHECK(status.message() == "cannot copy to non-directory: /out/sub");
  CHECK(read_file(outside.path() / "victim") == "untouched");
  CHECK(paths_of(outside.path()) == std::vector<std::string>{"victim"});
}

TEST_CASE("hardlinks and symlinks in the source are copied as links, not as what they reach",
          "[fileop][copy][security]") {
  Trees trees;
  dbuild::test::TempDir outside;
  write_file(outside.path() / "secret", "host secret");
  make_symlink((outside.path() / "secret").string(), trees.src() / "d" / "abs");
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/d", "/out")));
  CHECK(describe(trees.dest() / "out" / "abs").type == 'l');
}

}  // namespace dbuild::fileop::test
