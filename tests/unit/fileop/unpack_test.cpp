// unpack_test.cpp: ADD of local archives: detection by content in every compression, owners,
// whiteouts left alone, hostile entries kept inside the destination, and GNU tar round trips.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "fileop_test_support.hpp"
#include "support/process.hpp"
#include "support/skip.hpp"

namespace dbuild::fileop::test {
namespace {

sdk::CopyAction add_of(std::string src, std::string dest) {
  sdk::CopyAction action;
  action.src = std::move(src);
  action.dest = std::move(dest);
  action.unpack_archives = true;
  return action;
}

void require_ok(const sdk::Status& status) {
  INFO(status.to_string());
  REQUIRE(status.is_ok());
}

const std::vector<TarEntry> kSample = {
    {.path = "dir/", .type = 'd', .mode = 0750, .mtime = 1'400'000'000, .uid = 10, .gid = 20},
    {.path = "dir/file", .content = "hello", .mode = 0640, .mtime = 1'500'000'000, .uid = 11, .gid = 21},
    {.path = "dir/link", .type = 'l', .link = "file", .uid = 12, .gid = 22},
    // A hardlink entry's header applies to the shared inode (as in BuildKit); tar writes the same.
    {.path = "dir/hard", .type = 'h', .link = "dir/file", .mode = 0640, .mtime = 1'500'000'000, .uid = 11, .gid = 21},
};

}  // namespace

TEST_CASE("an archive in any compression is extracted, told by its content not its name", "[fileop][unpack]") {
  dbuild::test::require_root();
  for (auto compression :
       {Compression::None, Compression::Gzip, Compression::Bzip2, Compression::Xz, Compression::Zstd}) {
    Trees trees;
    write_file(trees.src() / "archive.bin", make_tar(kSample, compression));
    require_ok(run_copy(trees.src(), trees.dest(), add_of("/archive.bin", "/out")));
    INFO("compression " << static_cast<int>(compression));
    const auto tree = describe_tree(trees.dest() / "out");
    REQUIRE(tree.size() == 4);
    CHECK(tree.at("dir").mode == 0750);
    CHECK(tree.at("dir").uid == 10);
    CHECK(tree.at("dir").mtime == 1'400'000'000);
    CHECK(tree.at("dir/file").content == "hello");
    CHECK(tree.at("dir/file").gid == 21);
    CHECK(tree.at("dir/file").mtime == 1'500'000'000);
    CHECK(tree.at("dir/link").link == "file");
    CHECK(tree.at("dir/link").uid == 12);
    CHECK(tree.at("dir/hard").inode == tree.at("dir/file").inode);
  }
}

TEST_CASE("a file that is not a tar is copied as it is, whatever its name", "[fileop][unpack]") {
  Trees trees;
  write_file(trees.src() / "notes.tar.gz", "just text");
  auto gzip =
      dbuild::test::run_process({"sh", "-c", "printf 'not a tar' | gzip > " + (trees.src() / "text.gz").string()});
  REQUIRE(gzip.exit_code == 0);
  const std::string compressed = read_file(trees.src() / "text.gz");
  require_ok(run_copy(trees.src(), trees.dest(), add_of("/notes.tar.gz", "/out/")));
  require_ok(run_copy(trees.src(), trees.dest(), add_of("/text.gz", "/out/")));
  CHECK(read_file(trees.dest() / "out" / "notes.tar.gz") == "just text");
  CHECK(read_file(trees.dest() / "out" / "text.gz") == compressed);
}

TEST_CASE("extracted entries keep the archive's owners unless a chown is given", "[fileop][unpack]") {
  dbuild::test::require_root();
  Trees trees;
  write_file(trees.src() / "a.tar", make_tar(kSample));
  auto action = add_of("/a.tar", "/out/");
  action.chown = sdk::Ownership{.user = "7", .group = "8"};
  require_ok(run_copy(trees.src(), trees.dest(), action));
  for (const auto& [path, entry] : describe_tree(trees.dest() / "out")) {
    INFO(path);
    CHECK(entry.uid == 7);
    CHECK(entry.gid == 8);
  }
  CHECK(describe(trees.dest() / "out").uid == 7);  // the destination made for it, too
}

TEST_CASE("whiteout entries are extracted as ordinary files", "[fileop][unpack]") {
  Trees trees;
  write_file(trees.dest() / "out" / "gone", "still here");
  write_file(trees.src() / "layer.tar", make_tar({{.path = ".wh.gone"}, {.path = "d/.wh..wh..opq"}}));
  require_ok(run_copy(trees.src(), trees.dest(), add_of("/layer.tar", "/out")));
  CHECK(paths_of(trees.dest() / "out") == std::vector<std::string>{".wh.gone", "d", "d/.wh..wh..opq", "gone"});
}

TEST_CASE("archive entries replace what is in their way, and merge into directories", "[fileop][unpack]") {
  Trees trees;
  write_file(trees.dest() / "out" / "f" / "was-a-dir", "x");
  write_file(trees.dest() / "out" / "d" / "kept", "k");
  write_file(trees.src() / "a.tar", make_tar({{.path = "f", .content = "now a file"},
                                              {.path = "d/", .type = 'd'},
                                              {.path = "d/new", .content = "n"}}));
  require_ok(run_copy(trees.src(), trees.dest(), add_of("/a.tar", "/out")));
  CHECK(read_file(trees.dest() / "out" / "f") == "now a file");
  CHECK(paths_of(trees.dest() / "out" / "d") == std::vector<std::string>{"kept", "new"});
}

TEST_CASE("archive entries never land outside the extraction directory", "[fileop][unpack][security]") {
  Trees trees;
  dbuild::test::TempDir outside;
  make_symlink(outside.path().string(), trees.dest() / "out" / "escape");
  write_file(trees.src() / "abs.tar", make_tar({{.path = "/abs-file", .content = "a"},
                                                {.path = "root-link", .type = 'l', .link = "/"},
                                                {.path = "root-link/via-link", .content = "v"},
                                                {.path = "up", .type = 'l', .link = "../../../.."},
                                                {.path = "up/climbed", .content = "c"},
                                                {.path = "escape/through", .content = "t"}}));
  require_ok(run_copy(trees.src(), trees.dest(), add_of("/abs.tar", "/out")));
  CHECK(read_file(trees.dest() / "out" / "abs-file") == "a");
  CHECK(read_file(trees.dest() / "out" / "via-link") == "v");
  CHECK(read_file(trees.dest() / "out" / "climbed") == "c");
  CHECK(paths_of(outside.path()).empty());
  write_file(trees.src() / "dotdot.tar", make_tar({{.path = "../evil", .content = "e"}}));
  auto status = run_copy(trees.src(), trees.dest(), add_of("/dotdot.tar", "/out2"));
  CHECK(status.code() == sdk::Code::InvalidArgument);
  CHECK_THAT(status.message(), Catch::Contains("archive path \"../evil\" is outside extraction root"));
  CHECK_FALSE(path_exists(trees.dest() / "evil"));
  write_file(trees.src() / "hard.tar", make_tar({{.path = "h", .type = 'h', .link = "../../etc/passwd"}}));
  CHECK(run_copy(trees.src(), trees.dest(), add_of("/hard.tar", "/out3")).code() == sdk::Code::InvalidArgument);
}

TEST_CASE("a truncated archive is an error after what could be extracted", "[fileop][unpack]") {
  Trees trees;
  std::string tar = make_tar({{.path = "a", .content = std::string(5000, 'a')}, {.path = "b", .content = "b"}});
  write_file(trees.src() / "cut.tar", tar.substr(0, 2048));
  auto status = run_copy(trees.src(), trees.dest(), add_of("/cut.tar", "/out"));
  CHECK(status.code() == sdk::Code::InvalidArgument);
}

TEST_CASE("a tree packed by GNU tar unpacks to the same tree", "[fileop][unpack]") {
  dbuild::test::require_root();
  Trees trees;
  dbuild::test::TempDir tree;
  write_file(tree.path() / "a" / "file", "content", 0604);
  write_file(tree.path() / "a" / "exec", "#!", 04711);
  make_symlink("file", tree.path() / "a" / "link");
  make_hardlink(tree.path() / "a" / "file", tree.path() / "a" / "hard");
  make_dir(tree.path() / "a" / "ro", 0500);
  make_node(tree.path() / "a" / "fifo", S_IFIFO | 0600);
  set_owner(tree.path() / "a" / "file", 300, 400);
  std::int64_t time = 1'300'000'000;
  for (const auto& path : paths_of(tree.path())) set_mtime(tree.path() / path, time++);
  auto tar = dbuild::test::run_process(
      {"tar", "--zstd", "-cf", (trees.src() / "t.tzst").string(), "-C", tree.path().string(), "."});
  REQUIRE(tar.exit_code == 0);
  require_ok(run_copy(trees.src(), trees.dest(), add_of("/t.tzst", "/out")));
  CHECK(find_listing(trees.dest() / "out") == find_listing(tree.path()));
  CHECK(diff_trees(trees.dest() / "out", tree.path()).empty());
}

TEST_CASE("unpack_archives copies a directory source normally", "[fileop][unpack]") {
  Trees trees;
  write_file(trees.src() / "d" / "inner.tar", make_tar(kSample));
  require_ok(run_copy(trees.src(), trees.dest(), add_of("/d", "/out")));
  CHECK(paths_of(trees.dest() / "out") == std::vector<std::string>{"inner.tar"});
}

}  // namespace dbuild::fileop::test
