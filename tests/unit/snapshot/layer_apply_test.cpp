// layer_apply_test.cpp: apply_layer on hand-made layers: whiteouts in both formats, opaque
// markers in any stream position, replacement rules, compression, and hostile layers.
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cstring>

#include <catch2/catch.hpp>

#include "layer_test_support.hpp"
#include "support/skip.hpp"

namespace dbuild::snapshot::test {
namespace {

bool path_exists(const fs::path& path) {
  std::error_code error;
  return fs::exists(fs::symlink_status(path, error));
}

std::string xattr_of(const fs::path& path, const char* name) {
  char value[256];
  ssize_t size = ::lgetxattr(path.c_str(), name, value, sizeof value);
  return size < 0 ? std::string() : std::string(value, static_cast<std::size_t>(size));
}

void require_refused(const std::string& tar, const fs::path& target, const std::string& expected) {
  auto stats = apply_bytes(tar, target, WhiteoutFormat::Delete);
  REQUIRE_FALSE(stats.has_value());
  CHECK(stats.status().code() == sdk::Code::InvalidArgument);
  CHECK_THAT(stats.status().to_string(), Catch::Contains(expected));
}

}  // namespace

TEST_CASE("OCI whiteouts become overlay whiteouts and opaque directories", "[snapshot][layer]") {
  dbuild::test::require_root();
  TempDir target;
  const auto tar = make_tar({
      {.path = ".wh.gone"},
      {.path = "d/", .type = 'd', .mode = 0755},
      {.path = "d/.wh..wh..opq"},
      {.path = "d/file", .content = "kept"},
      {.path = "e/.wh.old"},  // no header for e/: it is created
      {.path = "f/.wh..wh..opq"},
  });
  auto stats = apply_bytes(tar, target.path(), WhiteoutFormat::Overlay);
  INFO(stats.status().to_string());
  REQUIRE(stats.has_value());
  CHECK(stats->entries == 6);
  CHECK(stats->bytes == tar.size());
  const auto tree = describe_tree(target.path());
  CHECK(tree.at("gone").type == 'c');
  CHECK(tree.at("gone").device == makedev(0, 0));
  CHECK(tree.at("e/old").type == 'c');
  CHECK(tree.at("d").xattrs.at("trusted.overlay.opaque") == "y");
  CHECK(tree.at("f").xattrs.at("trusted.overlay.opaque") == "y");
  CHECK(tree.at("d/file").content == "kept");
  CHECK(tree.size() == 6);  // gone, d, d/file, e, e/old, f: no .wh. files
}

TEST_CASE("OCI whiteouts delete from a full tree, and a missing path is fine", "[snapshot][layer]") {
  TempDir target;
  make_directory(target / "gone");
  write_file(target / "gone/inside", "x");
  make_symlink("/etc", target / "link");
  write_file(target / "keep", "k");
  const auto tar =
      make_tar({{.path = ".wh.gone"}, {.path = ".wh.missing"}, {.path = "link/.wh.passwd"}, {.path = "nowhere/.wh.x"}});
  auto stats = apply_bytes(tar, target.path(), WhiteoutFormat::Delete);
  INFO(stats.status().to_string());
  REQUIRE(stats.has_value());
  CHECK_FALSE(path_exists(target / "gone"));
  CHECK(path_exists(target / "keep"));
  CHECK(path_exists("/etc/passwd"));  // the whiteout under a symlink did not follow it
  CHECK_FALSE(path_exists(target / "nowhere"));
}

TEST_CASE("an opaque marker deletes what the layer did not write, wherever it comes in the stream",
          "[snapshot][layer]") {
  TempDir target;
  make_directory(target / "d");
  write_file(target / "d/old", "lower");
  make_directory(target / "d/sub");
  write_file(target / "d/sub/old", "lower");
  make_directory(target / "other");
  write_file(target / "other/kept", "lower");
  const auto tar = make_tar({
      {.path = "d/", .type = 'd'},
      {.path = "d/before", .content = "layer"},
      {.path = "d/sub/", .type = 'd'},
      {.path = "d/sub/new", .content = "layer"},
      {.path = "d/implicit/file", .content = "layer"},  // its parent comes from this layer too
      {.path = "d/.wh..wh..opq"},
      {.path = "d/after", .content = "layer"},
  });
  auto stats = apply_bytes(tar, target.path(), WhiteoutFormat::Delete);
  INFO(stats.status().to_string());
  REQUIRE(stats.has_value());
  std::vector<std::string> paths;
  for (const auto& [path, state] : describe_tree(target.path())) paths.push_back(path);
  CHECK(paths == std::vector<std::string>{"d", "d/after", "d/before", "d/implicit", "d/implicit/file", "d/sub",
                                          "d/sub/new", "other", "other/kept"});
}

TEST_CASE("an entry replaces what is at its path, but a directory over a directory keeps its contents",
          "[snapshot][layer]") {
  TempDir target;
  make_directory(target / "was-dir");
  write_file(target / "was-dir/child", "c");
  write_file(target / "was-file", "f");
  make_directory(target / "dir");
  write_file(target / "dir/child", "c");
  write_file(target / "shared", "s");
  fs::create_hard_link(target / "shared", target / "shared-link");
  const auto tar = make_tar({
      {.path = "dir/", .type = 'd', .mode = 0700, .mtime = 1'234'567'890},
      {.path = "shared-link", .content = "new"},
      {.path = "was-dir", .content = "now a file"},
      {.path = "was-file/", .type = 'd', .mode = 0750},
  });
  auto stats = apply_bytes(tar, target.path(), WhiteoutFormat::Delete);
  INFO(stats.status().to_string());
  REQUIRE(stats.has_value());
  const auto tree = describe_tree(target.path());
  CHECK(tree.at("dir").mode == 0700);
  CHECK(tree.at("dir").mtime_seconds == 1'234'567'890);
  CHECK(tree.at("dir/child").content == "c");
  CHECK(tree.at("was-dir").content == "now a file");
  CHECK(tree.at("was-file").type == 'd');
  CHECK(tree.at("was-file").mode == 0750);
  CHECK(tree.at("shared-link").content == "new");
  CHECK(tree.at("shared").content == "s");  // the old inode was unlinked, not written through
}

TEST_CASE("names with ./ prefixes, doubled or trailing slashes and a root entry are accepted", "[snapshot][layer]") {
  TempDir target;
  const auto tar = make_tar({
      {.path = "./", .type = 'd', .mode = 0711},
      {.path = "./etc/", .type = 'd'},
      {.path = ".//etc//passwd", .content = "root"},
      {.path = "etc/./group/", .type = 'd'},
  });
  auto stats = apply_bytes(tar, target.path(), WhiteoutFormat::Delete);
  INFO(stats.status().to_string());
  REQUIRE(stats.has_value());
  CHECK(describe_tree(target.path()).at("etc/passwd").content == "root");
  CHECK(describe_tree(target.path()).at("etc/group").type == 'd');
  CHECK((fs::status(target.path()).permissions() & fs::perms::all) == static_cast<fs::perms>(0711));
}

TEST_CASE("a parent that is not a directory is refused with its name", "[snapshot][layer]") {
  TempDir target;
  write_file(target / "file", "f");
  require_refused(make_tar({{.path = "file/child", .content = "c"}}), target.path(), "\"file\" is not a directory");
}

TEST_CASE("gzip and zstd layers are recognised from their bytes", "[snapshot][layer]") {
  const auto compression = GENERATE(Compression::Gzip, Compression::Zstd);
  TempDir target;
  const std::string big(5 << 20, 'z');
  const auto tar = make_tar({{.path = "a/", .type = 'd'}, {.path = "a/big", .content = big}}, compression);
  auto stats = apply_bytes(tar, target.path(), WhiteoutFormat::Overlay);
  INFO(stats.status().to_string());
  REQUIRE(stats.has_value());
  CHECK(stats->entries == 2);
  CHECK(stats->bytes > big.size());
  CHECK(describe_tree(target.path()).at("a/big").content == big);
}

TEST_CASE("an empty stream is an empty layer and garbage is not a layer", "[snapshot][layer]") {
  TempDir target;
  auto empty = apply_bytes("", target.path(), WhiteoutFormat::Delete);
  REQUIRE(empty.has_value());
  CHECK(empty->entries == 0);
  auto garbage = apply_bytes(std::string(4096, 'g'), target.path(), WhiteoutFormat::Delete);
  REQUIRE_FALSE(garbage.has_value());
  CHECK(garbage.status().code() == sdk::Code::InvalidArgument);
  CHECK_THAT(garbage.status().to_string(), Catch::Contains("not a valid layer"));
}

TEST_CASE("applying reads the source to its end and reports the source's own error", "[snapshot][layer]") {
  TempDir target;
  const auto tar = make_tar({{.path = "file", .content = "x"}}) + std::string(20 << 10, '\0');
  std::size_t offset = 0;
  auto stats = apply_layer(
      [&](void* buffer, std::size_t capacity) -> sdk::Result<std::size_t> {
        const std::size_t count = std::min(capacity, tar.size() - offset);
        std::memcpy(buffer, tar.data() + offset, count);
        offset += count;
        return count;
      },
      target.path(), WhiteoutFormat::Delete);
  REQUIRE(stats.has_value());
  CHECK(offset == tar.size());
  auto failed = apply_layer(
      [](void*, std::size_t) -> sdk::Result<std::size_t> { return sdk::Status::unavailable("connection reset"); },
      target.path(), WhiteoutFormat::Delete);
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.status().code() == sdk::Code::Unavailable);
  CHECK(failed.status().message() == "connection reset");
}

TEST_CASE("a layer cannot name a path outside the target", "[snapshot][layer]") {
  TempDir target;
  SECTION("with ..") {
    require_refused(make_tar({{.path = "etc/../../x"}}), target.path(),
                    "entry \"etc/../../x\": path escapes the target");
  }
  SECTION("with an absolute path") {
    require_refused(make_tar({{.path = "/etc/x"}}), target.path(), "entry \"/etc/x\": absolute path");
  }
  SECTION("with a hardlink") {
    require_refused(make_tar({{.path = "h", .type = 'h', .link = "../outside"}}), target.path(),
                    "hardlink target \"../outside\": path escapes the target");
    require_refused(make_tar({{.path = "h", .type = 'h', .link = "/etc/passwd"}}), target.path(), "absolute path");
  }
  SECTION("with a whiteout") {
    require_refused(make_tar({{.path = "../.wh.x"}}), target.path(), "path escapes the target");
  }
  CHECK(fs::is_empty(target.path()));
}

TEST_CASE("a layer cannot write through a symlink, its own or an earlier layer's", "[snapshot][layer]") {
  TempDir outside;
  TempDir target;
  SECTION("planted by an earlier layer") {
    make_symlink(outside.path().string(), target / "planted");
    require_refused(make_tar({{.path = "planted/file", .content = "evil"}}), target.path(), "\"planted\" is a symlink");
    require_refused(make_tar({{.path = "planted/.wh..wh..opq"}}), target.path(), "\"planted\" is a symlink");
  }
  SECTION("planted by the same layer") {
    require_refused(
        make_tar({{.path = "evil", .type = 'l', .link = "../../../.."}, {.path = "evil/file", .content = "x"}}),
        target.path(), "\"evil\" is a symlink");
  }
  SECTION("as a hardlink target") {
    make_symlink(outside.path().string(), target / "planted");
    write_file(outside / "secret", "s");
    require_refused(make_tar({{.path = "h", .type = 'h', .link = "planted/secret"}}), target.path(),
                    "does not exist in the target");
  }
  SECTION("at the entry's own path, which is replaced instead") {
    write_file(outside / "victim", "original");
    make_symlink((outside / "victim").string(), target / "file");
    auto stats = apply_bytes(make_tar({{.path = "file", .content = "new"}}), target.path(), WhiteoutFormat::Delete);
    REQUIRE(stats.has_value());
    CHECK(describe_tree(target.path()).at("file").type == 'f');
  }
  for (const auto& [path, state] : describe_tree(outside.path())) {
    CHECK(path != "file");
    CHECK(state.content != "evil");
    CHECK(state.content != "new");
  }
}

TEST_CASE("hardlinks must point at an existing file inside the target", "[snapshot][layer]") {
  TempDir target;
  make_directory(target / "dir");
  require_refused(make_tar({{.path = "h", .type = 'h', .link = "missing"}}), target.path(), "does not exist");
  require_refused(make_tar({{.path = "h", .type = 'h', .link = "dir"}}), target.path(), "is a directory");
  auto stats = apply_bytes(make_tar({{.path = "f", .content = "x"}, {.path = "h", .type = 'h', .link = "./f"}}),
                           target.path(), WhiteoutFormat::Delete);
  REQUIRE(stats.has_value());
  struct stat file {};
  struct stat link {};
  REQUIRE(::stat((target / "f").c_str(), &file) == 0);
  REQUIRE(::stat((target / "h").c_str(), &link) == 0);
  CHECK(file.st_ino == link.st_ino);
}

TEST_CASE("overlay xattrs in a layer are ignored, other xattrs are applied", "[snapshot][layer]") {
  dbuild::test::require_root();
  TempDir target;
  const auto tar =
      make_tar({{.path = "d/", .type = 'd', .xattrs = {{"trusted.overlay.redirect", "/etc"}, {"user.kept", "yes"}}}});
  auto stats = apply_bytes(tar, target.path(), WhiteoutFormat::Overlay);
  REQUIRE(stats.has_value());
  CHECK(xattr_of(target / "d", "trusted.overlay.redirect").empty());
  CHECK(xattr_of(target / "d", "user.kept") == "yes");
}

}  // namespace dbuild::snapshot::test
