// dockerfile_inputs_test.cpp: what `dbuild build` takes in, checked from outside with the real
// binary: a Dockerfile or a context tarball on stdin, -f outside the context, .dockerignore
// files, and --build-context directories and OCI layouts.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "dockerfile_workspace.hpp"

namespace fs = std::filesystem;
using dbuild::test::build_dockerfile;
using dbuild::test::read_file;
using dbuild::test::run_process;
using dbuild::test::Workspace;
using dbuild::test::write_dockerfile;
using dbuild::test::write_file;

namespace {

const char* const kCopyAlpha = "FROM busybox\nCOPY a.txt /a.txt\nRUN cat /a.txt > /copied.txt\n";

// Lists the files of `dir` (relative, sorted): what a COPY . brought in.
std::set<std::string> files_under(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) out.insert(fs::relative(entry.path(), dir).string());
  return out;
}

}  // namespace

TEST_CASE("a Dockerfile on stdin (-f -) builds with the context directory", "[integration][dockerfile]") {
  Workspace workspace;
  auto out = workspace.dir.path() / "out";
  auto result = build_dockerfile(workspace, {{"-f", "-", "-o", out.string(), workspace.context.string()}, kCopyAlpha});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(read_file(out / "copied.txt") == "alpha\n");
}

TEST_CASE("a context tarball on stdin, plain or gzipped, builds with the Dockerfile inside it",
          "[integration][dockerfile]") {
  Workspace workspace;
  write_dockerfile(workspace.context, kCopyAlpha);
  write_dockerfile(workspace.context / "docker", "FROM busybox\nCOPY sub/c.txt /c.txt\n", "Dockerfile.other");
  auto tarball = workspace.dir.path() / "context.tar";
  REQUIRE(run_process({"tar", "-C", workspace.context.string(), "-cf", tarball.string(), "."}).exit_code == 0);
  REQUIRE(run_process({"gzip", "-k", tarball.string()}).exit_code == 0);
  for (const auto& name : {std::string("context.tar"), std::string("context.tar.gz")}) {
    INFO(name);
    auto out = workspace.dir.path() / ("out-" + name);
    auto result = build_dockerfile(workspace, {{"-o", out.string(), "-"}, read_file(workspace.dir.path() / name)});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(read_file(out / "copied.txt") == "alpha\n");
  }
  SECTION("-f names a Dockerfile inside the tarball") {
    auto out = workspace.dir.path() / "out-f";
    auto result =
        build_dockerfile(workspace, {{"-f", "docker/Dockerfile.other", "-o", out.string(), "-"}, read_file(tarball)});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(read_file(out / "c.txt") == "gamma\n");
  }
}

TEST_CASE("a Dockerfile on stdin in place of a context builds with no context at all", "[integration][dockerfile]") {
  Workspace workspace;
  auto out = workspace.dir.path() / "out";
  auto result =
      build_dockerfile(workspace, {{"-o", out.string(), "-"}, "FROM busybox\nRUN echo no context > /proof\n"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(read_file(out / "proof") == "no context\n");

  auto copy = build_dockerfile(workspace, {{"-"}, "FROM busybox\nCOPY a.txt /a.txt\n"});
  CHECK(copy.exit_code == 1);
  CHECK_THAT(copy.err, Catch::Contains("\"/a.txt\": not found"));
  auto both = build_dockerfile(workspace, {{"-f", "-", "-"}, "FROM busybox\n"});
  CHECK(both.exit_code == 2);
  CHECK_THAT(both.err, Catch::Contains("stdin cannot be both the context and the Dockerfile"));
}

TEST_CASE("a Dockerfile outside the context can be named with -f", "[integration][dockerfile]") {
  Workspace workspace;
  auto dockerfile = write_dockerfile(workspace.dir.path() / "elsewhere", kCopyAlpha, "Build.dockerfile");
  auto out = workspace.dir.path() / "out";
  auto result =
      build_dockerfile(workspace, {{"-f", dockerfile.string(), "-o", out.string(), workspace.context.string()}});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(read_file(out / "copied.txt") == "alpha\n");
  CHECK_FALSE(fs::exists(out / "Build.dockerfile"));

  auto missing = build_dockerfile(workspace, {{"-f", "/no/such/Dockerfile", workspace.context.string()}});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("/no/such/Dockerfile"));
}

TEST_CASE(".dockerignore decides what COPY sees, with ** and ! exceptions", "[integration][dockerfile]") {
  Workspace workspace;
  write_file(workspace.context / "logs/keep.log", "kept\n");
  write_file(workspace.context / "logs/drop.log", "dropped\n");
  write_file(workspace.context / "deep/er/x.tmp", "tmp\n");
  write_file(workspace.context / "deep/er/y.txt", "why\n");
  write_file(workspace.context / ".dockerignore", "*.txt\n!a.txt\nlogs/*.log\n!logs/keep.log\n**/*.tmp\n");
  write_dockerfile(workspace.context, "FROM busybox\nCOPY . /ctx/\n");
  auto out = workspace.dir.path() / "out";
  auto result = build_dockerfile(workspace, {{"-o", out.string(), workspace.context.string()}});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  // sub/c.txt and deep/er/y.txt stay: "*.txt" matches at the root only, as in Docker.
  CHECK(files_under(out / "ctx") ==
        std::set<std::string>{".dockerignore", "Dockerfile", "a.txt", "deep/er/y.txt", "logs/keep.log", "sub/c.txt"});
}

TEST_CASE("<Dockerfile>.dockerignore next to the Dockerfile wins over the context's", "[integration][dockerfile]") {
  Workspace workspace;
  write_file(workspace.context / ".dockerignore", "a.txt\n");
  auto dockerfile = write_dockerfile(workspace.dir.path() / "df", "FROM busybox\nCOPY . /ctx/\n", "app.Dockerfile");
  write_file(dockerfile.string() + ".dockerignore", "sub\nunrelated.txt\n");
  auto out = workspace.dir.path() / "out";
  auto result =
      build_dockerfile(workspace, {{"-f", dockerfile.string(), "-o", out.string(), workspace.context.string()}});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(files_under(out / "ctx") == std::set<std::string>{".dockerignore", "a.txt"});
}

TEST_CASE("a .dockerignore that excludes the Dockerfile does not stop the build", "[integration][dockerfile]") {
  Workspace workspace;
  write_file(workspace.context / ".dockerignore", "Dockerfile\n.dockerignore\n");
  write_dockerfile(workspace.context, "FROM busybox\nCOPY . /ctx/\nRUN ls -a /ctx > /listing\n");
  auto out = workspace.dir.path() / "out";
  auto result = build_dockerfile(workspace, {{"-o", out.string(), workspace.context.string()}});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK_FALSE(fs::exists(out / "ctx/Dockerfile"));
  CHECK_FALSE(fs::exists(out / "ctx/.dockerignore"));
  CHECK(read_file(out / "ctx/a.txt") == "alpha\n");
}

TEST_CASE("a directory given with --build-context serves COPY --from=NAME", "[integration][dockerfile]") {
  Workspace workspace;
  auto extra = workspace.dir.path() / "extra";
  write_file(extra / "tool.sh", "echo from the extra context\n");
  write_dockerfile(workspace.context, "FROM busybox\nCOPY --from=tools tool.sh /tool.sh\nRUN sh /tool.sh > /ran\n");
  auto out = workspace.dir.path() / "out";
  auto result = build_dockerfile(
      workspace, {{"--build-context", "tools=" + extra.string(), "-o", out.string(), workspace.context.string()}});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(read_file(out / "ran") == "from the extra context\n");

  auto missing = build_dockerfile(workspace, {{"--build-context", "tools=/no/such/dir", workspace.context.string()}});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("/no/such/dir"));
}

TEST_CASE("an OCI layout given with --build-context serves FROM NAME", "[integration][dockerfile]") {
  Workspace workspace;
  write_dockerfile(workspace.context, "FROM base\nRUN echo on the layout > /proof\n");
  auto out = workspace.dir.path() / "out";
  auto result = build_dockerfile(workspace, {{"--build-context", "base=oci-layout://" + workspace.base.reference(),
                                              "-o", out.string(), "-t", "from-layout", workspace.context.string()}});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(read_file(out / "proof") == "on the layout\n");
  CHECK(fs::is_symlink(out / "bin/sh"));
  auto config = dbuild::test::image_config(workspace, "from-layout");
  CHECK(config["config"]["Cmd"] == nlohmann::json({"sh"}));
}

TEST_CASE("a directory given with --build-context serves FROM NAME as a stage's root",
          "[integration][dockerfile]") {
  Workspace workspace;
  auto extra = workspace.dir.path() / "extra";
  write_file(extra / "tool.sh", "echo from the extra context\n");
  write_dockerfile(workspace.context, "FROM tools AS t\nFROM busybox\nCOPY --from=t /tool.sh /tool.sh\n");
  auto out = workspace.dir.path() / "out";
  auto result = build_dockerfile(
      workspace, {{"--build-context", "tools=" + extra.string(), "-o", out.string(), workspace.context.string()}});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(read_file(out / "tool.sh") == "echo from the extra context\n");
}
