// user_test.cpp: USER specs resolved against passwd and group files as BuildKit resolves them.
#include <filesystem>

#include <catch2/catch.hpp>

#include "executor/user.hpp"
#include "support/temp_dir.hpp"

using dbuild::executor::resolve_user;

namespace {

const char* kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# a comment\n"
    "broken line\n"
    "app:x:1000:1001:App:/home/app:/bin/sh\n";
const char* kGroup =
    "root:x:0:\n"
    "app:x:1001:\n"
    "audio:x:29:app,other\n"
    "staff:x:50:other\n";

}  // namespace

TEST_CASE("user names resolve through passwd with supplementary groups", "[executor][user]") {
  auto user = resolve_user("app", kPasswd, kGroup);
  REQUIRE(user);
  CHECK(user->uid == 1000);
  CHECK(user->gid == 1001);
  CHECK(user->home == "/home/app");
  CHECK(user->additional_gids == std::vector<std::uint32_t>{29});
}

TEST_CASE("an empty spec is root", "[executor][user]") {
  auto user = resolve_user("", kPasswd, kGroup);
  REQUIRE(user);
  CHECK(user->uid == 0);
  CHECK(user->gid == 0);
}

TEST_CASE("a numeric user need not exist and gets gid 0", "[executor][user]") {
  auto user = resolve_user("4242", kPasswd, kGroup);
  REQUIRE(user);
  CHECK(user->uid == 4242);
  CHECK(user->gid == 0);
  auto known = resolve_user("1000", kPasswd, kGroup);
  REQUIRE(known);
  CHECK(known->gid == 1001);
}

TEST_CASE("an explicit group overrides the primary one, by name or number", "[executor][user]") {
  auto named = resolve_user("app:staff", kPasswd, kGroup);
  REQUIRE(named);
  CHECK(named->gid == 50);
  CHECK(named->additional_gids.empty());
  auto numeric = resolve_user("7:8", kPasswd, kGroup);
  REQUIRE(numeric);
  CHECK(numeric->uid == 7);
  CHECK(numeric->gid == 8);
}

TEST_CASE("unknown names are errors as BuildKit words them", "[executor][user]") {
  auto user = resolve_user("nobody", kPasswd, kGroup);
  REQUIRE_FALSE(user);
  CHECK(user.status().message() == "unable to find user nobody: no matching entries in passwd file");
  auto group = resolve_user("app:wheel", kPasswd, kGroup);
  REQUIRE_FALSE(group);
  CHECK(group.status().message() == "unable to find group wheel: no matching entries in group file");
  CHECK_FALSE(resolve_user(":1", kPasswd, kGroup));
}

TEST_CASE("a rootfs whose /etc points at the host's cannot make dbuild read the host's passwd", "[executor][user]") {
  dbuild::test::TempDir root;
  std::filesystem::create_directory_symlink("/etc", root.path() / "etc");
  // The host has root and daemon in its /etc/passwd; this tree has no passwd at all.
  CHECK_FALSE(dbuild::executor::resolve_user_in(root.path(), "root"));
  CHECK_FALSE(dbuild::executor::resolve_user_in(root.path(), "daemon"));
  CHECK(dbuild::executor::resolve_user_in(root.path(), "0"));
}
