// layer_round_trip_test.cpp: a tree written as a layer and applied again is the same tree, in
// both whiteout formats, and an overlay upper dir survives the trip with its whiteouts.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <catch2/catch.hpp>

#include "layer_test_support.hpp"
#include "support/skip.hpp"

namespace dbuild::snapshot::test {
namespace {

// Every kind of file and metadata a layer carries.
void build_rich_tree(const fs::path& root) {
  make_directory(root / "bin");
  write_file(root / "bin/tool", std::string(3 << 20, 't') + "end");  // bigger than one buffer
  set_owner(root / "bin/tool", 0, 50);
  fs::permissions(root / "bin/tool", static_cast<fs::perms>(04755));  // after chown, which clears setuid
  set_xattr(root / "bin/tool", "security.capability",
            std::string("\x01\x00\x00\x02\x00\x20\x00\x00", 8) + std::string(12, '\0'));
  fs::create_hard_link(root / "bin/tool", root / "bin/tool-alias");
  fs::create_hard_link(root / "bin/tool", root / "tool-top");
  write_file(root / "bin/setgid", "g", 02711);
  make_directory(root / "tmp", 01777);
  make_directory(root / "home");
  make_directory(root / "home/user", 0700);
  set_owner(root / "home/user", 1000, 1000);
  write_file(root / "home/user/notes", "notes\n", 0600);
  set_owner(root / "home/user/notes", 1000, 1000);
  set_xattr(root / "home/user/notes", "user.tag", std::string("bin\0ary", 7));
  set_xattr(root / "home/user", "user.dir", "yes");
  write_file(root / "empty", "");
  make_symlink("bin/tool", root / "relative-link");
  make_symlink("/no/such/target", root / "dangling-link");
  set_owner(root / "dangling-link", 7, 8);
  make_node(root / "null", S_IFCHR | 0666, makedev(1, 3));
  make_node(root / "disk", S_IFBLK | 0660, makedev(8, 0));
  make_node(root / "pipe", S_IFIFO | 0644);
  make_directory(root / "readonly", 0555);
  write_file(root / "readonly/inside", "r", 0444);
  long nanoseconds = 1;
  for (const auto& [path, state] : describe_tree(root)) {
    if (state.type != 'd') set_mtime(root / path, 1'600'000'000 + nanoseconds, nanoseconds * 1000 + 7);
    ++nanoseconds;
  }
  for (const char* path : {"bin", "tmp", "home/user", "home", "readonly"})
    set_mtime(root / path, 1'650'000'000, 999'999'999);
}

}  // namespace

TEST_CASE("a tree written as a layer and applied again is the same tree", "[snapshot][layer]") {
  dbuild::test::require_root();
  const auto format = GENERATE(WhiteoutFormat::Delete, WhiteoutFormat::Overlay);
  TempDir source;
  build_rich_tree(source.path());
  const auto tar = write_upper(source.path());
  TempDir target;
  auto stats = apply_bytes(tar, target.path(), format);
  INFO(stats.status().to_string());
  REQUIRE(stats.has_value());
  CHECK(stats->bytes == tar.size());
  CHECK(stats->entries == tar_names(tar).size());
  const auto expected = describe_tree(source.path());
  const auto actual = describe_tree(target.path());
  for (const auto& [path, state] : expected) {
    INFO(path);
    REQUIRE(actual.contains(path));
    CHECK(actual.at(path) == state);
  }
  CHECK(actual.size() == expected.size());
  struct stat tool {};
  struct stat alias {};
  REQUIRE(::lstat((target / "bin/tool").c_str(), &tool) == 0);
  REQUIRE(::lstat((target / "tool-top").c_str(), &alias) == 0);
  CHECK(tool.st_ino == alias.st_ino);
  CHECK(tool.st_nlink == 3);
  // Written again, the applied tree gives the very same bytes.
  CHECK(write_upper(target.path()) == tar);
}

TEST_CASE("an overlay upper dir survives a layer round trip with its whiteouts", "[snapshot][layer]") {
  dbuild::test::require_root();
  TempDir upper;
  make_whiteout(upper / "deleted");
  make_directory(upper / "replaced");
  set_xattr(upper / "replaced", "trusted.overlay.opaque", "y");
  write_file(upper / "replaced/fresh", "f");
  make_directory(upper / "kept");
  make_whiteout(upper / "kept/deleted-too");
  write_file(upper / "kept/changed", "c");
  const auto tar = write_upper(upper.path());
  TempDir target;
  auto stats = apply_bytes(tar, target.path(), WhiteoutFormat::Overlay);
  INFO(stats.status().to_string());
  REQUIRE(stats.has_value());
  auto expected = describe_tree(upper.path());
  auto actual = describe_tree(target.path());
  // Whiteouts carry no metadata through a layer: compare them by kind only.
  for (auto* tree : {&expected, &actual}) {
    for (auto& [path, state] : *tree) {
      if (state.type == 'c' && state.device == makedev(0, 0)) state = FileState{.type = 'w'};
    }
  }
  CHECK(format_tree(actual) == format_tree(expected));
  CHECK(write_upper(target.path()) == tar);
}

TEST_CASE("applying the same layer twice gives the same tree", "[snapshot][layer]") {
  dbuild::test::require_root();
  TempDir source;
  build_rich_tree(source.path());
  const auto tar = write_upper(source.path());
  TempDir target;
  REQUIRE(apply_bytes(tar, target.path(), WhiteoutFormat::Delete).has_value());
  auto again = apply_bytes(tar, target.path(), WhiteoutFormat::Delete);
  INFO(again.status().to_string());
  REQUIRE(again.has_value());
  CHECK(format_tree(describe_tree(target.path())) == format_tree(describe_tree(source.path())));
}

}  // namespace dbuild::snapshot::test
