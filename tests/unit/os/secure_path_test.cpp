// secure_path_test.cpp: paths resolved inside a root never leave it, whatever the symlinks say.
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "os/secure_path.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using dbuild::os::secure_join;

TEST_CASE("secure_join follows symlinks but stays inside the root", "[os][path]") {
  dbuild::test::TempDir root;
  const auto& r = root.path();
  fs::create_directories(r / "usr/lib");
  fs::create_directory_symlink("usr/lib", r / "lib");
  fs::create_symlink("/etc/passwd", r / "abs");
  fs::create_symlink("../../../../etc/shadow", r / "usr/up");
  fs::create_symlink("loop2", r / "loop1");
  fs::create_symlink("loop1", r / "loop2");

  CHECK(*secure_join(r, "/lib/x.so") == r / "usr/lib/x.so");
  CHECK(*secure_join(r, "lib/x.so") == r / "usr/lib/x.so");
  CHECK(*secure_join(r, "/abs") == r / "etc/passwd");
  CHECK(*secure_join(r, "/usr/up") == r / "etc/shadow");
  CHECK(*secure_join(r, "/../../etc") == r / "etc");
  CHECK(*secure_join(r, "/") == r);
  CHECK(*secure_join(r, "/abs", dbuild::os::FollowFinal::No) == r / "abs");
  auto loop = secure_join(r, "/loop1");
  REQUIRE_FALSE(loop);
  CHECK_THAT(loop.status().message(), Catch::Contains("too many symlinks"));
}

TEST_CASE("secure_mkdir_all creates missing directories inside the root only", "[os][path]") {
  dbuild::test::TempDir root;
  const auto& r = root.path();
  fs::create_directory_symlink("/tmp-escape-target-that-must-not-exist", r / "escape");
  REQUIRE(dbuild::os::secure_mkdir_all(r, "/escape/a/b", 0750, 0, 0));
  CHECK(fs::is_directory(r / "tmp-escape-target-that-must-not-exist/a/b"));
  CHECK_FALSE(fs::exists("/tmp-escape-target-that-must-not-exist"));
  CHECK((fs::status(r / "tmp-escape-target-that-must-not-exist/a").permissions() & fs::perms::all) ==
        static_cast<fs::perms>(0750));

  std::ofstream(r / "file") << "x";
  auto blocked = dbuild::os::secure_mkdir_all(r, "/file/sub", 0755, 0, 0);
  REQUIRE_FALSE(blocked);
  CHECK(blocked.code() == dbuild::sdk::Code::FailedPrecondition);
}
