// copy_filter_test.cpp: which paths a copy takes: --exclude and include patterns (.dockerignore
// rules, relative to the copied source), a local context's filter, and --parents.
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

using Paths = std::vector<std::string>;

}  // namespace

TEST_CASE("exclude patterns skip paths relative to the copied source, with .dockerignore rules",
          "[fileop][copy][patterns]") {
  Trees trees;
  write_file(trees.src() / "app" / "a.log", "a");
  write_file(trees.src() / "app" / "main.c", "m");
  write_file(trees.src() / "app" / "sub" / "b.log", "b");
  write_file(trees.src() / "app" / "build" / "out.o", "o");
  auto action = copy_of("/app", "/top/");
  action.exclude_patterns = {"*.log", "build"};
  require_ok(run_copy(trees.src(), trees.dest(), action));
  CHECK(paths_of(trees.dest() / "top") == Paths{"main.c", "sub", "sub/b.log"});
  action.dest = "/deep/";
  action.exclude_patterns = {"**/*.log"};
  require_ok(run_copy(trees.src(), trees.dest(), action));
  CHECK(paths_of(trees.dest() / "deep") == Paths{"build", "build/out.o", "main.c", "sub"});
}

TEST_CASE("an exception re-includes a path below an excluded directory, which is then created",
          "[fileop][copy][patterns]") {
  Trees trees;
  write_file(trees.src() / "node_modules" / "keep" / "k.js", "k");
  write_file(trees.src() / "node_modules" / "drop" / "d.js", "d");
  write_file(trees.src() / "index.js", "i");
  make_dir(trees.src() / "node_modules", 0700);
  auto action = copy_of("/", "/out/");
  action.exclude_patterns = {"node_modules", "!node_modules/keep"};
  require_ok(run_copy(trees.src(), trees.dest(), action));
  CHECK(paths_of(trees.dest() / "out") ==
        Paths{"index.js", "node_modules", "node_modules/keep", "node_modules/keep/k.js"});
  CHECK(describe(trees.dest() / "out" / "node_modules").mode == 0700);  // made with the source's metadata
}

TEST_CASE("include patterns copy only matching paths and the directories leading to them", "[fileop][copy][patterns]") {
  Trees trees;
  write_file(trees.src() / "a" / "b" / "c", "c");
  write_file(trees.src() / "a" / "b" / "x", "x");
  write_file(trees.src() / "a" / "y" / "z", "z");
  write_file(trees.src() / "a" / "w", "w");
  write_file(trees.src() / "docs" / "readme", "r");
  auto action = copy_of("/", "/out/");
  action.include_patterns = {"a/*/c", "docs"};
  require_ok(run_copy(trees.src(), trees.dest(), action));
  CHECK(paths_of(trees.dest() / "out") == Paths{"a", "a/b", "a/b/c", "docs", "docs/readme"});
}

TEST_CASE("the copied source itself is never filtered by its own patterns", "[fileop][copy][patterns]") {
  Trees trees;
  write_file(trees.src() / "a.log", "a");
  auto action = copy_of("/a.log", "/out/");
  action.exclude_patterns = {"*.log"};
  require_ok(run_copy(trees.src(), trees.dest(), action));
  CHECK(read_file(trees.dest() / "out" / "a.log") == "a");
}

TEST_CASE("a malformed pattern is invalid_argument", "[fileop][copy][patterns]") {
  Trees trees;
  write_file(trees.src() / "a", "a");
  auto action = copy_of("/", "/out/");
  action.exclude_patterns = {"[z-"};
  CHECK(run_copy(trees.src(), trees.dest(), action).code() == sdk::Code::InvalidArgument);
}

TEST_CASE("a local context's filter hides paths from walks, wildcards and named sources", "[fileop][copy][patterns]") {
  Trees trees;
  write_file(trees.src() / "main.c", "m");
  write_file(trees.src() / "scratch.tmp", "t");
  write_file(trees.src() / "secret" / "key", "k");
  write_file(trees.src() / "src" / "x.tmp", "x");
  CopySource context;
  context.reset_ownership = true;
  context.filter = [](std::string_view path, bool) { return path != "secret" && !path.ends_with(".tmp"); };
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/", "/all/"), context));
  CHECK(paths_of(trees.dest() / "all") == Paths{"main.c", "src"});
  CHECK(run_copy(trees.src(), trees.dest(), copy_of("/secret/key", "/k"), context).code() == sdk::Code::NotFound);
  CHECK(run_copy(trees.src(), trees.dest(), copy_of("/*.tmp", "/t/"), context).code() == sdk::Code::NotFound);
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/*.c", "/c/"), context));
  CHECK(paths_of(trees.dest() / "c") == Paths{"main.c"});
}

TEST_CASE("with parents, a copy keeps the source's directories under the destination", "[fileop][copy][patterns]") {
  Trees trees;
  write_file(trees.src() / "a" / "b" / "c.txt", "c");
  write_file(trees.src() / "a" / "b" / "d.txt", "d");
  write_file(trees.src() / "p1" / "x.txt", "1");
  write_file(trees.src() / "p2" / "x.txt", "2");
  write_file(trees.src() / "p2" / "y.txt", "y");
  auto action = copy_of("/a/b/c.txt", "/full/");
  action.parents = true;
  require_ok(run_copy(trees.src(), trees.dest(), action));
  CHECK(paths_of(trees.dest() / "full") == Paths{"a", "a/b", "a/b/c.txt"});
  action.src = "a/./b/c.txt";  // the part before "/./" is dropped
  action.dest = "/pivot/";
  require_ok(run_copy(trees.src(), trees.dest(), action));
  CHECK(paths_of(trees.dest() / "pivot") == Paths{"b", "b/c.txt"});
  action.src = "/*/x.txt";
  action.dest = "/wild/";
  require_ok(run_copy(trees.src(), trees.dest(), action));
  CHECK(paths_of(trees.dest() / "wild") == Paths{"p1", "p1/x.txt", "p2", "p2/x.txt"});
  action.src = "/a/b";  // a directory keeps everything below it
  action.dest = "/dir/";
  require_ok(run_copy(trees.src(), trees.dest(), action));
  CHECK(paths_of(trees.dest() / "dir") == Paths{"a", "a/b", "a/b/c.txt", "a/b/d.txt"});
  action.src = "/a/nope.txt";
  auto status = run_copy(trees.src(), trees.dest(), action);
  CHECK(status.code() == sdk::Code::NotFound);
  CHECK(status.message() == "\"/a/nope.txt\": not found");
}

}  // namespace dbuild::fileop::test
