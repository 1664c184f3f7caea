// layer_write_test.cpp: the tar that write_layer_from_upper produces: order, reproducibility,
// clamped mtimes, overlay whiteouts as `.wh.` entries, and what GNU tar makes of it.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <sstream>

#include <catch2/catch.hpp>

#include "layer_test_support.hpp"
#include "support/process.hpp"
#include "support/skip.hpp"

namespace dbuild::snapshot::test {
namespace {

// GNU tar pads its columns; single spaces make expected lines readable.
std::vector<std::string> squeezed(const std::vector<std::string>& lines) {
  std::vector<std::string> result;
  for (const auto& line : lines) {
    std::istringstream words(line);
    std::string word;
    std::string joined;
    while (words >> word) joined += (joined.empty() ? "" : " ") + word;
    result.push_back(joined);
  }
  return result;
}

std::size_t count_of(const std::string& haystack, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++count;
  return count;
}

// The same files, created in the opposite order so that inodes and readdir order differ.
void build_small_tree(const fs::path& root, bool reverse) {
  auto files = [&] {
    write_file(root / "b", "bee");
    write_file(root / "a-b", "dash");
    write_file(root / "a/x", "ex");
    write_file(root / "a/b/y", "why");
  };
  if (!reverse) {
    make_directory(root / "a");
    make_directory(root / "a/b");
    make_directory(root / "c");
    files();
  } else {
    make_directory(root / "c");
    make_directory(root / "a");
    make_directory(root / "a/b");
    write_file(root / "a/b/y", "why");
    write_file(root / "a/x", "ex");
    write_file(root / "a-b", "dash");
    write_file(root / "b", "bee");
  }
  for (const char* path : {"a/b/y", "a/x", "a-b", "b", "a/b", "a", "c"}) set_mtime(root / path, 1'700'000'000, 5);
}

}  // namespace

TEST_CASE("a layer lists entries in path order, each directory right before its contents", "[snapshot][layer]") {
  TempDir upper;
  build_small_tree(upper.path(), false);
  const auto tar = write_upper(upper.path());
  CHECK(tar_names(tar) == std::vector<std::string>{"a/", "a/b/", "a/b/y", "a/x", "a-b", "b", "c/"});
  CHECK(tar.size() % 512 == 0);
  CHECK(tar.substr(tar.size() - 1024) == std::string(1024, '\0'));
}

TEST_CASE("the same tree gives a byte-identical layer, however it was created", "[snapshot][layer]") {
  TempDir first;
  TempDir second;
  build_small_tree(first.path(), false);
  build_small_tree(second.path(), true);
  const auto tar = write_upper(first.path());
  CHECK(write_upper(first.path()) == tar);
  CHECK(write_upper(second.path()) == tar);
}

TEST_CASE("SOURCE_DATE_EPOCH clamps later mtimes and keeps earlier ones to the nanosecond", "[snapshot][layer]") {
  TempDir upper;
  write_file(upper / "early", "e");
  write_file(upper / "late", "l");
  set_mtime(upper / "early", 1'000'000'000, 250'000'000);
  set_mtime(upper / "late", 2'000'000'000, 500'000'000);
  LayerWriteOptions options;
  options.source_date_epoch = 1'500'000'000;
  const auto tar = write_upper(upper.path(), options);
  // Only the early file keeps a fractional mtime, so only it needs an extended header.
  CHECK(count_of(tar, "mtime=") == 1);
  CHECK(count_of(tar, "mtime=1000000000.25\n") == 1);
  TempDir target;
  REQUIRE(apply_bytes(tar, target.path(), WhiteoutFormat::Delete).has_value());
  const auto tree = describe_tree(target.path());
  CHECK(tree.at("early").mtime_seconds == 1'000'000'000);
  CHECK(tree.at("early").mtime_nanoseconds == 250'000'000);
  CHECK(tree.at("late").mtime_seconds == 1'500'000'000);
  CHECK(tree.at("late").mtime_nanoseconds == 0);
}

TEST_CASE("overlay whiteouts and opaque directories become .wh. entries", "[snapshot][layer]") {
  dbuild::test::require_root();
  TempDir upper;
  make_whiteout(upper / "gone");
  make_directory(upper / "d");
  set_xattr(upper / "d", "trusted.overlay.opaque", "y");
  write_file(upper / "d/new", "n");
  make_directory(upper / "e");
  make_whiteout(upper / "e/old");
  set_xattr(upper / "e", "trusted.overlay.origin", "bookkeeping");
  for (const char* path : {"gone", "d/new", "d", "e/old", "e"}) set_mtime(upper / path, 1'700'000'000, 0);
  const auto tar = write_upper(upper.path());
  CHECK(tar_names(tar) == std::vector<std::string>{".wh.gone", "d/", "d/.wh..wh..opq", "d/new", "e/", "e/.wh.old"});
  CHECK(tar.find("trusted.overlay") == std::string::npos);
  CHECK(squeezed(gnu_tar_listing(tar)) == std::vector<std::string>{
                                              "---------- 0/0 0 1970-01-01 00:00:00 .wh.gone",
                                              "drwxr-xr-x 0/0 0 2023-11-14 22:13:20 d/",
                                              "---------- 0/0 0 1970-01-01 00:00:00 d/.wh..wh..opq",
                                              "-rw-r--r-- 0/0 1 2023-11-14 22:13:20 d/new",
                                              "drwxr-xr-x 0/0 0 2023-11-14 22:13:20 e/",
                                              "---------- 0/0 0 1970-01-01 00:00:00 e/.wh.old",
                                          });
}

TEST_CASE("GNU tar lists every kind of file as written and extracts the same tree", "[snapshot][layer]") {
  dbuild::test::require_root();
  TempDir upper;
  make_directory(upper / "dir", 01777);
  write_file(upper / "dir/file", "hello\n");
  set_owner(upper / "dir/file", 1000, 2000);
  fs::permissions(upper / "dir/file", static_cast<fs::perms>(04755));  // after chown, which clears setuid
  set_xattr(upper / "dir/file", "user.note", "a value");
  set_xattr(upper / "dir/file", "security.capability",
            std::string("\x01\x00\x00\x02\x00\x20\x00\x00", 8) + std::string(12, '\0'));
  fs::create_hard_link(upper / "dir/file", upper / "dir/link");
  make_symlink("../elsewhere/target", upper / "dir/symlink");
  make_node(upper / "chr", S_IFCHR | 0620, makedev(4, 64));
  make_node(upper / "blk", S_IFBLK | 0660, makedev(8, 1));
  make_node(upper / "fifo", S_IFIFO | 0600);
  write_file(upper / "big-id", "", 0600);
  set_owner(upper / "big-id", 3'000'000, 3'000'001);
  for (const char* path : {"dir/file", "dir/symlink", "chr", "blk", "fifo", "big-id"})
    set_mtime(upper / path, 1'700'000'000, 0);
  set_mtime(upper / "dir", 1'700'000'000, 123'456'789);
  const auto tar = write_upper(upper.path());
  CHECK(squeezed(gnu_tar_listing(tar)) == std::vector<std::string>{
                                              "-rw------- 3000000/3000001 0 2023-11-14 22:13:20 big-id",
                                              "brw-rw---- 0/0 8,1 2023-11-14 22:13:20 blk",
                                              "crw--w---- 0/0 4,64 2023-11-14 22:13:20 chr",
                                              "drwxrwxrwt 0/0 0 2023-11-14 22:13:20.123456789 dir/",
                                              "-rwsr-xr-x 1000/2000 6 2023-11-14 22:13:20 dir/file",
                                              "hrwsr-xr-x 1000/2000 0 2023-11-14 22:13:20 dir/link link to dir/file",
                                              "lrwxrwxrwx 0/0 0 2023-11-14 22:13:20 dir/symlink -> ../elsewhere/target",
                                              "prw------- 0/0 0 2023-11-14 22:13:20 fifo",
                                          });
  TempDir extracted;
  const fs::path file = extracted / "layer.tar";
  write_file(file, tar);
  fs::create_directory(extracted / "root");
  auto result = dbuild::test::run_process({"tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-xpf",
                                           file.string(), "-C", (extracted / "root").string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(format_tree(describe_tree(extracted / "root")) == format_tree(describe_tree(upper.path())));
}

TEST_CASE("long and non-ASCII names survive a round trip, and GNU tar reads them", "[snapshot][layer]") {
  TempDir upper;
  const std::string long_name(150, 'n');
  const std::string utf8_name = "h\xc3\xa9llo-\xe2\x9c\x93";
  make_directory(upper / long_name);
  write_file(upper / long_name / long_name, "deep");
  write_file(upper / utf8_name, "utf8");
  const auto tar = write_upper(upper.path());
  CHECK(tar.find("hdrcharset") == std::string::npos);  // UTF-8 names need no charset marker
  TempDir target;
  REQUIRE(apply_bytes(tar, target.path(), WhiteoutFormat::Delete).has_value());
  CHECK(format_tree(describe_tree(target.path())) == format_tree(describe_tree(upper.path())));
  const auto listing = gnu_tar_listing(tar);
  REQUIRE(listing.size() == 3);
  CHECK(listing[0].ends_with(utf8_name));  // "h..." sorts before "n..."
  CHECK(listing[2].ends_with(long_name + "/" + long_name));
}

TEST_CASE("a name that is not UTF-8 is written as its bytes and comes back the same", "[snapshot][layer]") {
  TempDir upper;
  const std::string name = "invalid-\xff\xfe-utf8";
  write_file(upper / name, "bytes");
  const auto tar = write_upper(upper.path());
  TempDir target;
  REQUIRE(apply_bytes(tar, target.path(), WhiteoutFormat::Delete).has_value());
  CHECK(describe_tree(target.path()).contains(name));
}

TEST_CASE("a file named like a whiteout cannot be written into a layer", "[snapshot][layer]") {
  TempDir upper;
  write_file(upper / ".wh.sneaky", "");
  auto stats = write_layer_from_upper(upper.path(), [](const void*, std::size_t) { return sdk::Status::ok(); }, {});
  REQUIRE_FALSE(stats.has_value());
  CHECK(stats.status().code() == sdk::Code::FailedPrecondition);
  CHECK_THAT(stats.status().to_string(), Catch::Contains(".wh.sneaky"));
}

TEST_CASE("an overlay redirect cannot be written into a layer", "[snapshot][layer]") {
  dbuild::test::require_root();
  TempDir upper;
  make_directory(upper / "moved");
  set_xattr(upper / "moved", "trusted.overlay.redirect", "/old");
  auto stats = write_layer_from_upper(upper.path(), [](const void*, std::size_t) { return sdk::Status::ok(); }, {});
  REQUIRE_FALSE(stats.has_value());
  CHECK(stats.status().code() == sdk::Code::FailedPrecondition);
  CHECK_THAT(stats.status().to_string(), Catch::Contains("redirect_dir=off"));
}

TEST_CASE("a sink error stops the writer and comes back unchanged", "[snapshot][layer]") {
  TempDir upper;
  write_file(upper / "file", std::string(3 << 20, 'x'));
  int calls = 0;
  auto stats = write_layer_from_upper(upper.path(),
                                      [&calls](const void*, std::size_t) {
                                        ++calls;
                                        return sdk::Status::unavailable("disk full");
                                      },
                                      {});
  REQUIRE_FALSE(stats.has_value());
  CHECK(stats.status().code() == sdk::Code::Unavailable);
  CHECK(stats.status().message() == "disk full");
  CHECK(calls == 1);
}

TEST_CASE("a missing upper dir is reported with its path", "[snapshot][layer]") {
  TempDir parent;
  auto stats =
      write_layer_from_upper(parent / "missing", [](const void*, std::size_t) { return sdk::Status::ok(); }, {});
  REQUIRE_FALSE(stats.has_value());
  CHECK(stats.status().code() == sdk::Code::NotFound);
  CHECK_THAT(stats.status().to_string(), Catch::Contains("missing"));
}

}  // namespace dbuild::snapshot::test
