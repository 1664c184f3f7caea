// copy_metadata_test.cpp: what copied entries carry: modes, times, owners, xattrs, hardlinks,
// devices; --chown, --chmod and timestamps; checked against GNU cp -a where the rules coincide.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <catch2/catch.hpp>

#include "fileop_test_support.hpp"
#include "support/process.hpp"
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

// Every kind of entry with unusual metadata, for comparisons with cp -a.
void build_varied_tree(const fs::path& root) {
  write_file(root / "plain.txt", "plain", 0644);
  write_file(root / "exec.sh", "#!/bin/sh\n", 0755);
  write_file(root / "setuid", "s", 04755);
  write_file(root / "empty", "", 0600);
  write_file(root / "owned", "o", 0640);
  set_owner(root / "owned", 1234, 5678);
  make_dir(root / "dir", 0750);
  make_dir(root / "dir" / "readonly", 0555);
  write_file(root / "dir" / "nested.txt", "nested", 0444);
  make_symlink("../plain.txt", root / "dir" / "link");
  make_symlink("/dangling/target", root / "dangling");
  set_owner(root / "dangling", 42, 43);
  make_hardlink(root / "plain.txt", root / "dir" / "hardlink");
  make_node(root / "fifo", S_IFIFO | 0620);
  make_node(root / "dev" / "null-ish", S_IFCHR | 0666, makedev(1, 3));
  set_xattr(root / "plain.txt", "user.comment", "hello");
  set_xattr(root / "dir", "user.dir", "d");
  std::int64_t time = 1'500'000'000;
  for (const auto& path : paths_of(root)) set_mtime(root / path, time++, 250);
}

}  // namespace

TEST_CASE("a copied tree matches GNU cp -a entry for entry", "[fileop][copy][metadata]") {
  dbuild::test::require_root();
  Trees trees;
  dbuild::test::TempDir expected;
  build_varied_tree(trees.src() / "tree");
  auto cp = dbuild::test::run_process({"cp", "-a", (trees.src() / "tree").string() + "/.", expected.path().string()});
  REQUIRE(cp.exit_code == 0);
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/tree", "/out")));
  CHECK(find_listing(trees.dest() / "out") == find_listing(expected.path()));
  CHECK(diff_trees(trees.dest() / "out", expected.path()).empty());
  const auto ours = describe_tree(trees.dest() / "out");
  const auto theirs = describe_tree(expected.path());
  for (const auto& [path, entry] : theirs) {
    INFO(path);
    CHECK(ours.at(path).xattrs == entry.xattrs);
    CHECK(ours.at(path).device == entry.device);
  }
  CHECK(ours.at("plain.txt").inode == ours.at("dir/hardlink").inode);
}

TEST_CASE("a timestamp gives every copied entry that mtime, directories included", "[fileop][copy][metadata]") {
  dbuild::test::require_root();  // the tree has a device
  Trees trees;
  build_varied_tree(trees.src() / "tree");
  auto action = copy_of("/tree", "/a/b/");
  action.timestamp = 1'234'567'890;
  require_ok(run_copy(trees.src(), trees.dest(), action));
  for (const auto& [path, entry] : describe_tree(trees.dest())) {
    INFO(path);
    if (path == "a" || path == "a/b") continue;  // made on the way, see the next test
    CHECK(entry.mtime == 1'234'567'890);
    CHECK(entry.mtime_nanoseconds == 0);
  }
}

TEST_CASE("parents made on the way get the timestamp, or SOURCE_DATE_EPOCH, after the copy",
          "[fileop][copy][metadata]") {
  Trees trees;
  write_file(trees.src() / "f", "f");
  auto action = copy_of("/f", "/a/b/c/");
  action.timestamp = 1'000'000'000;
  require_ok(run_copy(trees.src(), trees.dest(), action));
  for (const char* dir : {"a", "a/b", "a/b/c"}) CHECK(describe(trees.dest() / dir).mtime == 1'000'000'000);
  action.timestamp.reset();
  action.dest = "/x/y/";
  require_ok(run_copy(trees.src(), trees.dest(), action, {}, CopyContext{.source_date_epoch = 77}));
  CHECK(describe(trees.dest() / "x").mtime == 77);
  CHECK(describe(trees.dest() / "x" / "y").mtime == 77);
  CHECK(describe(trees.dest() / "x" / "y" / "f").mtime != 77);  // copied entries keep the source's
}

TEST_CASE("source owners are kept for snapshots, reset to root for local contexts, replaced by chown",
          "[fileop][copy][metadata]") {
  dbuild::test::require_root();
  Trees trees;
  write_file(trees.src() / "d" / "f", "f");
  set_owner(trees.src() / "d" / "f", 1234, 5678);
  make_symlink("f", trees.src() / "d" / "l");
  set_owner(trees.src() / "d" / "l", 1234, 5678);
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/d", "/snapshot")));
  CHECK(describe(trees.dest() / "snapshot" / "f").uid == 1234);
  CHECK(describe(trees.dest() / "snapshot" / "l").gid == 5678);
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/d", "/local"), CopySource{.reset_ownership = true}));
  CHECK(describe(trees.dest() / "local" / "f").uid == 0);
  CHECK(describe(trees.dest() / "local" / "l").gid == 0);
  auto action = copy_of("/d", "/chowned");
  action.chown = sdk::Ownership{.user = "77"};
  require_ok(run_copy(trees.src(), trees.dest(), action, CopySource{.reset_ownership = true}));
  CHECK(describe(trees.dest() / "chowned" / "f").uid == 77);
  CHECK(describe(trees.dest() / "chowned" / "f").gid == 77);  // "--chown=77" is 77:77, as Docker documents
  CHECK(describe(trees.dest() / "chowned" / "l").uid == 77);
  CHECK(describe(trees.dest() / "chowned").uid == 77);  // the destination directory made for it
}

TEST_CASE("chown names are looked up in the destination's /etc/passwd and /etc/group", "[fileop][copy][metadata]") {
  dbuild::test::require_root();
  Trees trees;
  write_file(trees.src() / "f", "f");
  write_file(trees.dest() / "etc" / "passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n");
  write_file(trees.dest() / "etc" / "group", "root:x:0:\nstaff:x:50:\napp:x:1001:\n");
  struct Case {
    sdk::Ownership chown;
    uid_t uid;
    gid_t gid;
  };
  for (const auto& [chown, uid, gid] :
       {Case{{"app", ""}, 1000, 1001}, Case{{"app", "staff"}, 1000, 50}, Case{{"app", "60"}, 1000, 60},
        Case{{"", "staff"}, 0, 50}, Case{{"1000", ""}, 1000, 1000}}) {
    auto action = copy_of("/f", "/out");
    action.chown = chown;
    require_ok(run_copy(trees.src(), trees.dest(), action));
    INFO(chown.user << ":" << chown.group);
    CHECK(describe(trees.dest() / "out").uid == uid);
    CHECK(describe(trees.dest() / "out").gid == gid);
  }
  auto action = copy_of("/f", "/out");
  action.chown = sdk::Ownership{.user = "nobody-here"};
  auto status = run_copy(trees.src(), trees.dest(), action);
  CHECK(status.code() == sdk::Code::NotFound);
  CHECK_THAT(status.message(), Catch::Contains("unable to find user nobody-here"));
  action.chown = sdk::Ownership{.user = "app", .group = "nogroup"};
  CHECK(run_copy(trees.src(), trees.dest(), action).code() == sdk::Code::NotFound);
}

TEST_CASE("a hostile /etc symlink in the destination cannot make chown read the host's files",
          "[fileop][copy][metadata][security]") {
  Trees trees;
  write_file(trees.src() / "f", "f");
  make_symlink("/etc", trees.dest() / "etc");  // the host has "root" in /etc/passwd; this tree has none
  auto action = copy_of("/f", "/out");
  action.chown = sdk::Ownership{.user = "root"};
  CHECK(run_copy(trees.src(), trees.dest(), action).code() == sdk::Code::NotFound);
}

TEST_CASE("an octal chmod applies to every copied entry but not to parents made on the way",
          "[fileop][copy][metadata]") {
  Trees trees;
  write_file(trees.src() / "d" / "f", "f", 0600);
  make_dir(trees.src() / "d" / "sub", 0700);
  make_symlink("f", trees.src() / "d" / "l");
  auto action = copy_of("/d", "/p/out");
  action.chmod = "4751";
  action.copy_dir_contents = false;
  require_ok(run_copy(trees.src(), trees.dest(), action));
  CHECK(describe(trees.dest() / "p").mode == 0755);
  CHECK(describe(trees.dest() / "p" / "out").mode == 04751);
  CHECK(describe(trees.dest() / "p" / "out" / "f").mode == 04751);
  CHECK(describe(trees.dest() / "p" / "out" / "sub").mode == 04751);
  CHECK(describe(trees.dest() / "p" / "out" / "l").type == 'l');
}

TEST_CASE("a symbolic chmod is applied to each entry's own mode", "[fileop][copy][metadata]") {
  Trees trees;
  write_file(trees.src() / "d" / "script", "s", 0700);
  write_file(trees.src() / "d" / "data", "d", 0600);
  make_dir(trees.src() / "d" / "sub", 0700);
  auto action = copy_of("/d", "/out/");
  action.chmod = "go+rX";
  require_ok(run_copy(trees.src(), trees.dest(), action));
  CHECK(describe(trees.dest() / "out" / "script").mode == 0755);
  CHECK(describe(trees.dest() / "out" / "data").mode == 0644);
  CHECK(describe(trees.dest() / "out" / "sub").mode == 0755);
}

TEST_CASE("an invalid chmod fails before anything is copied", "[fileop][copy][metadata]") {
  Trees trees;
  write_file(trees.src() / "f", "f");
  auto action = copy_of("/f", "/out/");
  action.chmod = "u+z";
  auto status = run_copy(trees.src(), trees.dest(), action);
  CHECK(status.code() == sdk::Code::InvalidArgument);
  CHECK_THAT(status.message(), Catch::Contains("\"u+z\""));
  CHECK(paths_of(trees.dest()).empty());
}

TEST_CASE("hardlinks among copied files are hardlinks in the destination", "[fileop][copy][metadata]") {
  Trees trees;
  write_file(trees.src() / "d" / "a", "shared", 0640);
  make_hardlink(trees.src() / "d" / "a", trees.src() / "d" / "sub" / "b");
  make_hardlink(trees.src() / "d" / "a", trees.src() / "d" / "c");
  write_file(trees.dest() / "out" / "c", "old");  // replaced, not written through
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/d", "/out")));
  const auto tree = describe_tree(trees.dest() / "out");
  CHECK(tree.at("a").inode == tree.at("sub/b").inode);
  CHECK(tree.at("a").inode == tree.at("c").inode);
  CHECK(tree.at("a").links == 3);
  CHECK(tree.at("c").content == "shared");
  CHECK(describe(trees.src() / "d" / "a").links == 3);  // the source is untouched
}

TEST_CASE("devices, FIFOs and sockets are recreated, never opened", "[fileop][copy][metadata]") {
  dbuild::test::require_root();
  Trees trees;
  make_node(trees.src() / "d" / "null", S_IFCHR | 0666, makedev(1, 3));
  make_node(trees.src() / "d" / "loop", S_IFBLK | 0660, makedev(7, 0));
  make_node(trees.src() / "d" / "fifo", S_IFIFO | 0644);
  make_node(trees.src() / "d" / "socket", S_IFSOCK | 0755);
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/d", "/out")));
  const auto tree = describe_tree(trees.dest() / "out");
  CHECK(tree.at("null").type == 'c');
  CHECK(tree.at("null").device == makedev(1, 3));
  CHECK(tree.at("loop").type == 'b');
  CHECK(tree.at("loop").mode == 0660);
  CHECK(tree.at("fifo").type == 'p');
  CHECK(tree.at("socket").type == 's');
}

TEST_CASE("xattrs are copied, overlayfs's own are not", "[fileop][copy][metadata]") {
  dbuild::test::require_root();
  Trees trees;
  write_file(trees.src() / "d" / "f", "f");
  set_xattr(trees.src() / "d" / "f", "user.note", "kept");
  set_xattr(trees.src() / "d" / "f", "trusted.something", "kept too");
  make_dir(trees.src() / "d" / "opaque");
  set_xattr(trees.src() / "d" / "opaque", "trusted.overlay.opaque", "y");
  require_ok(run_copy(trees.src(), trees.dest(), copy_of("/d", "/out")));
  const auto f = describe(trees.dest() / "out" / "f");
  CHECK(f.xattrs.at("user.note") == "kept");
  CHECK(f.xattrs.at("trusted.something") == "kept too");
  CHECK(describe(trees.dest() / "out" / "opaque").xattrs.count("trusted.overlay.opaque") == 0);
}

}  // namespace dbuild::fileop::test
