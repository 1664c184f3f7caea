// actions_test.cpp: mkdir, mkfile, rm and symlink: their results, owners and times, BuildKit's
// error wording, and hostile symlinks in the tree.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "fileop/actions.hpp"
#include "fileop_test_support.hpp"
#include "support/skip.hpp"

namespace dbuild::fileop::test {
namespace {

void require_ok(const sdk::Status& status) {
  INFO(status.to_string());
  REQUIRE(status.is_ok());
}

}  // namespace

TEST_CASE("mkdir with make_parents creates the whole chain with mode, owner and timestamp", "[fileop][mkdir]") {
  dbuild::test::require_root();
  dbuild::test::TempDir root;
  write_file(root.path() / "etc" / "passwd", "app:x:1000:1000::/home/app:/bin/sh\n");
  sdk::MkdirAction action{.path = "/a/b/c",
                          .mode = 0711,
                          .make_parents = true,
                          .chown = sdk::Ownership{.user = "app"},
                          .timestamp = 1'000'000'000};
  require_ok(mkdir(root.path(), action, {}));
  for (const char* dir : {"a", "a/b", "a/b/c"}) {
    const auto entry = describe(root.path() / dir);
    INFO(dir << ": " << entry);
    CHECK(entry.type == 'd');
    CHECK(entry.mode == 0711);
    CHECK(entry.uid == 1000);
    CHECK(entry.mtime == 1'000'000'000);
  }
  set_mode(root.path() / "a", 0700);
  require_ok(mkdir(root.path(), action, {}));  // existing: fine, and left as it is
  CHECK(describe(root.path() / "a").mode == 0700);
}

TEST_CASE("mkdir without make_parents needs the parent and ignores an existing path", "[fileop][mkdir]") {
  dbuild::test::TempDir root;
  sdk::MkdirAction action{.path = "/a/b", .mode = 0755};
  auto status = mkdir(root.path(), action, {});
  CHECK(status.code() == sdk::Code::NotFound);
  CHECK(status.message() == "mkdir /a/b: no such file or directory");
  action.path = "/a";
  require_ok(mkdir(root.path(), action, {}));
  CHECK(describe(root.path() / "a").mode == 0755);
  require_ok(mkdir(root.path(), action, {}));  // BuildKit ignores EEXIST here
  require_ok(mkdir(root.path(), action, CopyContext{.source_date_epoch = 5}));
}

TEST_CASE("mkdir through a file or out through a symlink fails or stays inside the tree", "[fileop][mkdir][security]") {
  dbuild::test::TempDir root;
  dbuild::test::TempDir outside;
  write_file(root.path() / "file", "f");
  auto status = mkdir(root.path(), {.path = "/file/sub", .make_parents = true}, {});
  CHECK(status.code() == sdk::Code::FailedPrecondition);
  CHECK(status.message() == "mkdir /file: not a directory");
  make_symlink(outside.path().string(), root.path() / "out");
  require_ok(mkdir(root.path(), {.path = "/out/made", .make_parents = true}, {}));
  CHECK(paths_of(outside.path()).empty());
  CHECK(describe(root.path() / outside.path().relative_path() / "made").type == 'd');
}

TEST_CASE("mkfile writes data with mode, owner and timestamp, replacing what is there", "[fileop][mkfile]") {
  dbuild::test::require_root();
  dbuild::test::TempDir root;
  make_node(root.path() / "fifo", S_IFIFO | 0600);  // opening it for writing would block
  write_file(root.path() / "existing", "old and longer", 0777);
  std::uint64_t bytes = 0;
  CopyContext context{.on_bytes = [&](std::uint64_t n) { bytes += n; }};
  for (const char* path : {"/new", "/existing", "/fifo"}) {
    sdk::MkfileAction action{
        .path = path, .mode = 0640, .data = "data\n", .chown = sdk::Ownership{.user = "5"}, .timestamp = 1'200'000'000};
    require_ok(mkfile(root.path(), action, context));
    const auto entry = describe(root.path() / std::string(path).substr(1));
    INFO(path << ": " << entry);
    CHECK(entry.type == 'f');
    CHECK(entry.content == "data\n");
    CHECK(entry.mode == 0640);
    CHECK(entry.uid == 5);
    CHECK(entry.mtime == 1'200'000'000);
  }
  CHECK(bytes == 15);
  CHECK(paths_of(root.path()) == std::vector<std::string>{"existing", "fifo", "new"});  // no temporaries left
}

TEST_CASE("mkfile follows a symlink at its path inside the tree and reports BuildKit's errors", "[fileop][mkfile]") {
  dbuild::test::TempDir root;
  dbuild::test::TempDir outside;
  write_file(outside.path() / "victim", "untouched");
  make_symlink((outside.path() / "victim").string(), root.path() / "link");
  write_file(root.path() / outside.path().relative_path() / "victim", "tree's");
  require_ok(mkfile(root.path(), {.path = "/link", .data = "new"}, {}));
  CHECK(read_file(outside.path() / "victim") == "untouched");
  CHECK(read_file(root.path() / outside.path().relative_path() / "victim") == "new");
  CHECK(describe(root.path() / "link").type == 'l');
  auto status = mkfile(root.path(), {.path = "/missing/f", .data = "x"}, {});
  CHECK(status.code() == sdk::Code::NotFound);
  CHECK(status.message() == "open /missing/f: no such file or directory");
  status = mkfile(root.path(), {.path = "/", .data = "x"}, {});
  CHECK(status.message() == "mkfile /: is a directory");
  make_dir(root.path() / "dir");
  write_file(root.path() / "dir" / "inside", "i");
  CHECK_FALSE(mkfile(root.path(), {.path = "/dir", .data = "x"}, {}).is_ok());
  CHECK(read_file(root.path() / "dir" / "inside") == "i");
}

TEST_CASE("rm removes files, trees and symlinks (never what they point to)", "[fileop][rm]") {
  dbuild::test::TempDir root;
  dbuild::test::TempDir outside;
  write_file(outside.path() / "victim", "untouched");
  write_file(root.path() / "f", "f");
  write_file(root.path() / "tree" / "a" / "b", "b");
  make_dir(root.path() / "tree" / "a", 0500);
  write_file(root.path() / "target", "t");
  make_symlink("/target", root.path() / "link");
  make_symlink(outside.path().string(), root.path() / "outside-link");
  require_ok(rm(root.path(), {.path = "/f"}, {}));
  require_ok(rm(root.path(), {.path = "/tree"}, {}));
  require_ok(rm(root.path(), {.path = "/link"}, {}));
  // Its target does not exist inside the tree, so only allow_not_found lets it go (as in BuildKit).
  require_ok(rm(root.path(), {.path = "/outside-link", .allow_not_found = true}, {}));
  CHECK(paths_of(root.path()) == std::vector<std::string>{"target"});
  CHECK(read_file(outside.path() / "victim") == "untouched");
}

TEST_CASE("rm of a missing path is not_found unless allow_not_found", "[fileop][rm]") {
  dbuild::test::TempDir root;
  auto status = rm(root.path(), {.path = "/nope"}, {});
  CHECK(status.code() == sdk::Code::NotFound);
  CHECK(status.message() == "stat /nope: no such file or directory");
  require_ok(rm(root.path(), {.path = "/nope", .allow_not_found = true}, {}));
  require_ok(rm(root.path(), {.path = "/no/such/dir", .allow_not_found = true}, {}));
  make_symlink("/does-not-exist", root.path() / "dangling");
  CHECK(rm(root.path(), {.path = "/dangling"}, {}).code() == sdk::Code::NotFound);  // os.Stat follows it
  CHECK(rm(root.path(), {.path = "/"}, {}).code() == sdk::Code::InvalidArgument);
}

TEST_CASE("rm with allow_wildcard removes every match", "[fileop][rm]") {
  dbuild::test::TempDir root;
  write_file(root.path() / "a.log", "a");
  write_file(root.path() / "b.log", "b");
  write_file(root.path() / "keep.txt", "k");
  write_file(root.path() / "sub" / "c.log", "c");
  require_ok(rm(root.path(), {.path = "/*.log", .allow_wildcard = true}, {}));
  CHECK(paths_of(root.path()) == std::vector<std::string>{"keep.txt", "sub", "sub/c.log"});
  require_ok(rm(root.path(), {.path = "/*.none", .allow_wildcard = true}, {}));
}

TEST_CASE("symlink creates a link with its target verbatim, owner and timestamp", "[fileop][symlink]") {
  dbuild::test::require_root();
  dbuild::test::TempDir root;
  make_dir(root.path() / "bin");
  sdk::SymlinkAction action{.target = "../../../etc/x",
                            .path = "/bin/link",
                            .chown = sdk::Ownership{.user = "9"},
                            .timestamp = 1'100'000'000};
  require_ok(symlink(root.path(), action, {}));
  const auto entry = describe(root.path() / "bin" / "link");
  CHECK(entry.link == "../../../etc/x");
  CHECK(entry.uid == 9);
  CHECK(entry.mtime == 1'100'000'000);
  write_file(root.path() / "bin" / "file", "f");
  action.path = "/bin/file";
  auto status = symlink(root.path(), action, {});
  CHECK(status.code() == sdk::Code::AlreadyExists);
  CHECK(status.message() == "symlink ../../../etc/x /bin/file: file exists");
  // Like BuildKit (fs.RootPath), an existing link at the path is followed: a new link is made
  // where it points, inside the tree, if that is free.
  make_dir(root.path() / "etc");
  action.path = "/bin/link";
  require_ok(symlink(root.path(), action, {}));
  CHECK(describe(root.path() / "etc" / "x").link == "../../../etc/x");
  action.path = "/missing/link";
  CHECK(symlink(root.path(), action, {}).code() == sdk::Code::NotFound);
}

TEST_CASE("actions honour a stop request", "[fileop][cancel]") {
  dbuild::test::TempDir root;
  std::stop_source stop;
  stop.request_stop();
  write_file(root.path() / "f", "f");
  CHECK(rm(root.path(), {.path = "/f"}, CopyContext{.stop = stop.get_token()}).code() == sdk::Code::Cancelled);
}

}  // namespace dbuild::fileop::test
