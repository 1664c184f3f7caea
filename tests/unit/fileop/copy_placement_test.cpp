// copy_placement_test.cpp: where a copy lands: files and directories, trailing slashes, existing
// destinations, created parents, wildcards and missing sources, with BuildKit's errors.
#include <sys/stat.h>

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

TEST_CASE("a file copied to a new path keeps its contents, mode and mtime", "[fileop][copy]") {
  Trees trees;
  write_file(trees.src() / "a.txt", "alpha", 0640);
  set_mtime(trees.src() / "a.txt", 1'600'000'000, 123'456'789);
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/a.txt", "/b.txt")));
  const auto copied = describe(trees.dest() / "b.txt");
  CHECK(copied.content == "alpha");
  CHECK(copied.mode == 0640);
  CHECK(copied.mtime == 1'600'000'000);
  CHECK(copied.mtime_nanoseconds == 123'456'789);
  CHECK(paths_of(trees.dest()) == std::vector<std::string>{"b.txt"});
}

TEST_CASE("a destination ending in a slash or naming an existing directory receives the file inside it",
          "[fileop][copy]") {
  Trees trees;
  write_file(trees.src() / "a.txt", "alpha");
  make_dir(trees.dest() / "existing", 0700);
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("a.txt", "out/")));
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("a.txt", "existing")));
  CHECK(read_file(trees.dest() / "out" / "a.txt") == "alpha");
  CHECK(read_file(trees.dest() / "existing" / "a.txt") == "alpha");
  CHECK(describe(trees.dest() / "existing").mode == 0700);  // the existing directory is not changed
}

TEST_CASE("a destination of '.' or '/' means the root of the destination tree", "[fileop][copy]") {
  Trees trees;
  write_file(trees.src() / "a.txt", "alpha");
  make_dir(trees.src() / "d");
  write_file(trees.src() / "d" / "b.txt", "beta");
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("a.txt", ".")));
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("d", "/")));
  CHECK(paths_of(trees.dest()) == std::vector<std::string>{"a.txt", "b.txt"});
}

TEST_CASE("a directory source copies its contents into a new destination made 0755 for root", "[fileop][copy]") {
  dbuild::test::require_root();
  Trees trees;
  make_dir(trees.src() / "d", 0700);
  set_owner(trees.src() / "d", 1234, 1234);
  write_file(trees.src() / "d" / "x", "x");
  write_file(trees.src() / "d" / "sub" / "y", "y");
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/d", "/out")));
  CHECK(paths_of(trees.dest()) == std::vector<std::string>{"out", "out/sub", "out/sub/y", "out/x"});
  const auto out = describe(trees.dest() / "out");
  CHECK(out.mode == 0755);
  CHECK(out.uid == 0);
}

TEST_CASE("without copy_dir_contents a directory is copied as itself", "[fileop][copy]") {
  Trees trees;
  make_dir(trees.src() / "d", 0750);
  write_file(trees.src() / "d" / "x", "x");
  make_dir(trees.dest() / "existing");
  auto action = copy_of("/d", "/existing");
  action.copy_dir_contents = false;
  require_ok(run_copy(trees.src(), trees.dest(), action));
  action.dest = "/fresh";
  require_ok(run_copy(trees.src(), trees.dest(), action));
  CHECK(read_file(trees.dest() / "existing" / "d" / "x") == "x");
  CHECK(describe(trees.dest() / "existing" / "d").mode == 0750);
  CHECK(read_file(trees.dest() / "fresh" / "x") == "x");
  CHECK(describe(trees.dest() / "fresh").mode == 0750);  // the copy of d itself
}

TEST_CASE("missing destination parents are created 0755, owned by the chown user or root", "[fileop][copy]") {
  dbuild::test::require_root();
  Trees trees;
  write_file(trees.src() / "a.txt", "alpha");
  auto action = copy_of("/a.txt", "/p/q/r/");
  action.chown = sdk::Ownership{.user = "1000", .group = "1001"};
  require_ok(run_copy(trees.src(), trees.dest(), action));
  for (const char* dir : {"p", "p/q", "p/q/r"}) {
    const auto entry = describe(trees.dest() / dir);
    INFO(dir << ": " << entry);
    CHECK(entry.mode == 0755);
    CHECK(entry.uid == 1000);
    CHECK(entry.gid == 1001);
  }
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/a.txt", "/s/t.txt")));
  CHECK(describe(trees.dest() / "s").uid == 0);
  CHECK(stat_line(trees.dest() / "s").rfind("755 0 0 ", 0) == 0);
}

TEST_CASE("without create_dest_path a missing destination parent is an error", "[fileop][copy]") {
  Trees trees;
  write_file(trees.src() / "a.txt", "alpha");
  auto action = copy_of("/a.txt", "/missing/b.txt");
  action.create_dest_path = false;
  auto status = run_copy(trees.src(), trees.dest(), action);
  CHECK(status.code() == sdk::Code::NotFound);
  CHECK_THAT(status.to_string(), Catch::Contains("failed to stat /missing/b.txt") &&
                                     Catch::Contains("lstat /missing: no such file or directory"));
  action.dest = "/b.txt";
  require_ok(run_copy(trees.src(), trees.dest(), action));
  CHECK(read_file(trees.dest() / "b.txt") == "alpha");
}

TEST_CASE("a missing source is not_found in BuildKit's wording", "[fileop][copy]") {
  Trees trees;
  auto action = copy_of("nope", "/out/");
  for (bool wildcard : {true, false}) {
    action.allow_wildcard = wildcard;
    auto status = run_copy(trees.src(), trees.dest(), action);
    CHECK(status.code() == sdk::Code::NotFound);
    CHECK(status.message() == "\"/nope\": not found");
  }
  action.src = "/nodir/*.txt";  // the part before the wildcard must exist
  CHECK(run_copy(trees.src(), trees.dest(), action).code() == sdk::Code::NotFound);
  CHECK(paths_of(trees.dest()).empty());
}

TEST_CASE("wildcards copy every match: several matches make the destination a directory", "[fileop][copy]") {
  Trees trees;
  write_file(trees.src() / "a.txt", "a");
  write_file(trees.src() / "b.txt", "b");
  write_file(trees.src() / "c.md", "c");
  write_file(trees.src() / "sub" / "d.txt", "d");  // "*" does not cross '/'
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/*.txt", "/out")));
  CHECK(paths_of(trees.dest()) == std::vector<std::string>{"out", "out/a.txt", "out/b.txt"});
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/?.md", "/single")));
  CHECK(read_file(trees.dest() / "single") == "c");  // one match: a file destination
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/[ab].txt", "/class/")));
  CHECK(paths_of(trees.dest() / "class") == std::vector<std::string>{"a.txt", "b.txt"});
}

TEST_CASE("a wildcard that matches nothing fails unless allow_empty_wildcard", "[fileop][copy]") {
  Trees trees;
  write_file(trees.src() / "a.txt", "a");
  auto action = copy_of("/*.none", "/out/");
  auto status = run_copy(trees.src(), trees.dest(), action);
  CHECK(status.code() == sdk::Code::NotFound);
  CHECK(status.message() == "\"/*.none\": not found");
  action.allow_empty_wildcard = true;
  require_ok(run_copy(trees.src(), trees.dest(), action));
  CHECK(paths_of(trees.dest()).empty());
}

TEST_CASE("wildcards in inner components match one level each and a matching directory is taken whole",
          "[fileop][copy]") {
  Trees trees;
  write_file(trees.src() / "d1" / "f", "1");
  write_file(trees.src() / "d2" / "f", "2");
  write_file(trees.src() / "dx" / "g", "x");
  write_file(trees.src() / "dir-a" / "inner" / "z", "z");
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/d?/f", "/files/")));
  CHECK(paths_of(trees.dest() / "files") == std::vector<std::string>{"f"});  // both named f: the last wins
  CHECK(read_file(trees.dest() / "files" / "f") == "2");
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/dir-*", "/dirs/")));
  CHECK(paths_of(trees.dest() / "dirs") == std::vector<std::string>{"inner", "inner/z"});  // contents merged
}

TEST_CASE("follow_symlinks copies what a source symlink points to: otherwise the link itself", "[fileop][copy]") {
  Trees trees;
  write_file(trees.src() / "real" / "file", "content");
  make_symlink("/real", trees.src() / "link");  // absolute: inside the source tree
  make_symlink("real/file", trees.src() / "file-link");
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/link", "/followed")));
  CHECK(read_file(trees.dest() / "followed" / "file") == "content");
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/file-link", "/followed-file")));
  CHECK(describe(trees.dest() / "followed-file").type == 'f');
  auto action = copy_of("/file-link", "/kept");
  action.follow_symlinks = false;
  require_ok(run_copy(trees.src(), trees.dest(), action));
  CHECK(describe(trees.dest() / "kept").link == "real/file");
}

TEST_CASE("symlinks inside a copied directory are copied as symlinks, never followed", "[fileop][copy]") {
  Trees trees;
  make_symlink("../../../etc/passwd", trees.src() / "d" / "escape");
  make_symlink("/etc", trees.src() / "d" / "absolute");
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/d", "/out/")));
  CHECK(describe(trees.dest() / "out" / "escape").link == "../../../etc/passwd");
  CHECK(describe(trees.dest() / "out" / "absolute").link == "/etc");
  CHECK(paths_of(trees.dest()) == std::vector<std::string>{"out", "out/absolute", "out/escape"});
}

}  // namespace dbuild::fileop::test
