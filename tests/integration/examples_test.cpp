// examples_test.cpp: the example projects in share/examples build and their programs run, as
// the README's main command shows (busybox base first, then hello on top of it).
#include <catch2/catch.hpp>

#include "build_workspace.hpp"
#include "support/skip.hpp"

namespace fs = std::filesystem;

TEST_CASE("share/examples/hello builds in two stages and its program runs", "[integration][examples]") {
  dbuild::test::require_root();
  dbuild::test::TempDir dir;
  const fs::path examples = fs::path(DBUILD_TEST_SOURCE_DIR) / "share/examples";
  auto made = dbuild::test::run_process({(examples / "busybox/make-rootfs").string(), (dir.path() / "busybox").string()});
  REQUIRE(made.exit_code == 0);
  const std::string root = (dir.path() / "state").string();
  auto base = dbuild::test::run_dbuild({"--root", root, "build", "-t", "dbuild-examples/busybox:latest",
                                        (dir.path() / "busybox").string()});
  INFO(base.err);
  REQUIRE(base.exit_code == 0);
  auto out = dir.path() / "hello";
  auto hello = dbuild::test::run_dbuild({"--root", root, "build", "--build-arg", "WHO=tester", "-o", out.string(),
                                         (examples / "hello").string()});
  INFO(hello.err);
  REQUIRE(hello.exit_code == 0);
  auto ran = dbuild::test::run_process({"chroot", out.string(), "/usr/local/bin/hello"});
  CHECK(ran.exit_code == 0);
  CHECK(ran.out == "Hello, tester! This program was built by dbuild in two stages.\n");
  CHECK_FALSE(fs::exists(out / "src"));  // the build stage's files stay behind
}
