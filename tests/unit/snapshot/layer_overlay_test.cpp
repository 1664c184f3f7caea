// layer_overlay_test.cpp: the kernel's view. A layer applied in overlay form and mounted over
// its parent shows the same tree as the layer applied in deleting form to a copy of the parent.
#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <catch2/catch.hpp>

#include "layer_test_support.hpp"
#include "support/skip.hpp"

namespace dbuild::snapshot::test {
namespace {

class OverlayMount {
 public:
  OverlayMount(const fs::path& lower, const fs::path& upper, const fs::path& work, const fs::path& merged)
      : merged_(merged) {
    const std::string options =
        "lowerdir=" + lower.string() + ",upperdir=" + upper.string() + ",workdir=" + work.string();
    if (::mount("overlay", merged.c_str(), "overlay", 0, options.c_str()) != 0)
      dbuild::test::skip_test(std::string("cannot mount overlayfs here: ") + std::strerror(errno));
  }
  ~OverlayMount() { ::umount2(merged_.c_str(), MNT_DETACH); }
  OverlayMount(const OverlayMount&) = delete;
  OverlayMount& operator=(const OverlayMount&) = delete;

 private:
  fs::path merged_;
};

void build_parent(const fs::path& root) {
  make_directory(root / "etc");
  write_file(root / "etc/passwd", "root:x:0:0");
  write_file(root / "etc/shadow", "secret");
  make_directory(root / "var");
  make_directory(root / "var/cache");
  write_file(root / "var/cache/old", "stale");
  make_directory(root / "var/cache/sub");
  write_file(root / "var/cache/sub/older", "stale");
  write_file(root / "replaced", "a file");
  make_directory(root / "was-dir");
  write_file(root / "was-dir/inside", "x");
  for (const auto& [path, state] : describe_tree(root)) set_mtime(root / path, 1'500'000'000, 0);
}

// Every directory the layer touches has a header, so directory mtimes come from the layer.
std::string layer() {
  return make_tar({
      {.path = "etc/", .type = 'd', .mode = 0755},
      {.path = "etc/.wh.shadow"},
      {.path = "etc/hosts", .content = "127.0.0.1 localhost"},
      {.path = "replaced/", .type = 'd', .mode = 0700},
      {.path = "replaced/now", .content = "a directory"},
      {.path = "var/", .type = 'd', .mode = 0755},
      {.path = "var/cache/", .type = 'd', .mode = 0755},
      {.path = "var/cache/.wh..wh..opq"},
      {.path = "var/cache/fresh", .content = "new"},
      {.path = "was-dir", .content = "a file now"},
  });
}

}  // namespace

TEST_CASE("a layer mounted over its parent in overlay form shows the tree the deleting form gives",
          "[snapshot][layer]") {
  dbuild::test::require_root();
  TempDir scratch;
  for (const char* name : {"parent", "full", "upper", "work", "merged"}) fs::create_directory(scratch / name);
  build_parent(scratch / "parent");
  build_parent(scratch / "full");
  const auto tar = layer();
  auto full = apply_bytes(tar, scratch / "full", WhiteoutFormat::Delete);
  auto upper = apply_bytes(tar, scratch / "upper", WhiteoutFormat::Overlay);
  INFO(full.status().to_string() << upper.status().to_string());
  REQUIRE(full.has_value());
  REQUIRE(upper.has_value());
  const auto expected = describe_tree(scratch / "full");
  {
    OverlayMount mount(scratch / "parent", scratch / "upper", scratch / "work", scratch / "merged");
    CHECK(format_tree(describe_tree(scratch / "merged")) == format_tree(expected));
  }
  // And the upper dir, written back as a layer, still makes the same change.
  TempDir again;
  build_parent(again.path());
  REQUIRE(apply_bytes(write_upper(scratch / "upper"), again.path(), WhiteoutFormat::Delete).has_value());
  CHECK(format_tree(describe_tree(again.path())) == format_tree(expected));
}

}  // namespace dbuild::snapshot::test
