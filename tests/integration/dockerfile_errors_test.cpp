// dockerfile_errors_test.cpp: what `dbuild build` says when a Dockerfile is wrong or a build
// fails (the step, the exit code, the Dockerfile lines with ">>>"), usage errors, `# syntax=`
// directives, and the build checks (`--check`, `--call=check`, `# check=`).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "dockerfile_workspace.hpp"

namespace fs = std::filesystem;
using dbuild::test::build_dockerfile;
using dbuild::test::ProcessResult;
using dbuild::test::started_steps;
using dbuild::test::Workspace;
using dbuild::test::write_dockerfile;

namespace {

ProcessResult build_text(Workspace& workspace, const std::string& dockerfile, std::vector<std::string> extra = {}) {
  write_dockerfile(workspace.context, dockerfile);
  extra.push_back(workspace.context.string());
  return build_dockerfile(workspace, {extra});
}

// One violation of each build check rule, in line order.
const char* const kEveryRule =
    "FROM busybox as Builder\n"       // 1: StageNameCasing, FromAsCasing
    "MAINTAINER someone\n"            // 2: MaintainerDeprecated
    "WORKDIR relative\n"              // 3: WorkdirRelativePath
    "ENV key value\n"                 // 4: LegacyKeyValueFormat
    "FROM ${UNDECLARED} AS second\n"  // 5: UndefinedArgInFrom
    "FROM busybox AS second\n"        // 6: DuplicateStageName
    "RUN echo must not run\n"
    "CMD echo hi\n";  // 8: JSONArgsRecommended

}  // namespace

TEST_CASE("a failing RUN names the step and exit code and marks its Dockerfile line", "[integration][dockerfile]") {
  Workspace workspace;
  auto result = build_text(workspace, "FROM busybox\nRUN echo first\nRUN echo about to fail; exit 3\nRUN echo never\n");
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("[3/4] RUN echo about to fail; exit 3") && Catch::Contains("about to fail"));
  CHECK_THAT(result.err, Catch::Contains("process \"/bin/sh -c echo about to fail; exit 3\" did not complete "
                                         "successfully: exit code: 3"));
  CHECK_THAT(result.err, Catch::Contains("Dockerfile:3\n--------------------\n"
                                         "   1 |     FROM busybox\n"
                                         "   2 |     RUN echo first\n"
                                         "   3 | >>> RUN echo about to fail; exit 3\n"
                                         "   4 |     RUN echo never\n"));
  CHECK(result.err.find("echo never\n#") == std::string::npos);
}

TEST_CASE("Dockerfile mistakes fail with the line they are on", "[integration][dockerfile]") {
  Workspace workspace;
  struct Case {
    const char* what;
    std::string dockerfile;
    std::string error;
    std::string marked;
  };
  std::vector<Case> cases = {
      {"an unknown instruction", "FROM busybox\nFROOM x\n", "unknown instruction: FROOM", "   2 | >>> FROOM x"},
      {"a syntax error", "FROM busybox\nRUN echo hi\nENV\n", "ENV", "   3 | >>> ENV"},
      {"an unterminated heredoc", "FROM busybox\nCOPY <<EOF /x\nnever ends\n", "heredoc", "   2 | >>> COPY <<EOF /x"},
      {"a bad flag", "FROM busybox\nCOPY --frm=x a.txt /\n", "unknown flag: --frm", "   2 | >>> COPY --frm=x a.txt /"},
      {"a missing COPY source", "FROM busybox\nCOPY nope.txt /\n", "\"/nope.txt\": not found",
       "   2 | >>> COPY nope.txt /"},
      {"an undefined stage in COPY --from", "FROM busybox\nCOPY --from=nostage /x /x\n", "nostage:latest",
       "   2 | >>> COPY --from=nostage /x /x"},
  };
  for (const auto& bad : cases) {
    INFO(bad.what);
    auto result = build_text(workspace, bad.dockerfile);
    INFO(result.err);
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Catch::Contains(bad.error) && Catch::Contains(bad.marked));
  }
}

TEST_CASE("command line mistakes are usage errors (exit code 2)", "[integration][dockerfile]") {
  Workspace workspace;
  write_dockerfile(workspace.context, "FROM busybox\n");
  const auto context = workspace.context.string();
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  std::vector<Case> cases = {
      {{}, "requires exactly 1 argument"},
      {{context, context}, "too many arguments"},
      {{"--no-such-flag", context}, "unknown flag: --no-such-flag"},
      {{"--network", "bridge", context}, "--network bridge"},
      {{"--call", "lint", context}, "--call lint"},
      {{"--build-arg", "=value", context}, "--build-arg =value"},
      {{"--build-context", "nothing", context}, "--build-context nothing"},
      {{"--secret", "src=/etc/hostname", context}, "id= is required"},
      {{"--no-cache", "--no-cache-filter", "one", context},
       "--no-cache and --no-cache-filter cannot currently be used together"},
  };
  for (const auto& bad : cases) {
    auto result = build_dockerfile(workspace, {bad.args});
    INFO(result.err);
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Catch::Contains(bad.error) && Catch::Contains("dbuild build --help"));
  }
  auto missing = build_dockerfile(workspace, {{(workspace.dir.path() / "nowhere").string()}});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("unable to prepare context"));
}

TEST_CASE("a syntax directive naming docker/dockerfile:1 builds silently, another frontend with a warning",
          "[integration][dockerfile]") {
  Workspace workspace;
  auto ours = build_text(workspace, "# syntax=docker/dockerfile:1\nFROM busybox\nRUN echo built > /x\n");
  INFO(ours.err);
  CHECK(ours.exit_code == 0);
  CHECK_THAT(ours.err, !Catch::Contains("warning"));

  // The frontend image exists, as it would for BuildKit; dbuild still builds with its own.
  REQUIRE(build_text(workspace, "FROM busybox\n", {"-t", "example.com/other/frontend"}).exit_code == 0);
  auto warned = build_text(workspace, "# syntax=example.com/other/frontend\nFROM busybox\nRUN echo built > /x\n");
  INFO(warned.err);
  CHECK(warned.exit_code == 0);
  CHECK_THAT(warned.err, Catch::Contains("1 warning found") && Catch::Contains("example.com/other/frontend") &&
                             Catch::Contains("built-in Dockerfile frontend"));

  // Asked to be strict, the build refuses instead, pointing at the directive.
  auto strict = build_text(workspace, "# syntax=example.com/other/frontend\nFROM busybox\nRUN echo built > /x\n",
                           {"--frontend-opt", "syntax-strict=true"});
  INFO(strict.err);
  CHECK(strict.exit_code == 1);
  CHECK_THAT(strict.err, Catch::Contains("example.com/other/frontend") && Catch::Contains("Dockerfile:1"));
  auto unknown = build_text(workspace, "FROM busybox\n", {"--frontend-opt", "colour=blue"});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("colour"));
}

TEST_CASE("a check (--check) reports every build check rule with its line and builds nothing",
          "[integration][dockerfile]") {
  Workspace workspace;
  auto result = build_text(workspace, kEveryRule, {"--check", "--progress", "rawjson"});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  CHECK(started_steps(result.err).empty());
  CHECK_THAT(result.out, Catch::StartsWith("Check complete, 8 warnings have been found!\n"));
  const std::vector<std::pair<std::string, int>> expected = {
      {"StageNameCasing", 1},      {"FromAsCasing", 1},       {"MaintainerDeprecated", 2}, {"WorkdirRelativePath", 3},
      {"LegacyKeyValueFormat", 4}, {"UndefinedArgInFrom", 5}, {"DuplicateStageName", 6},   {"JSONArgsRecommended", 8}};
  std::size_t previous = 0;
  for (const auto& [rule, line] : expected) {
    INFO(rule);
    auto at = result.out.find("\nWARNING: " + rule + " - https://docs.docker.com/go/dockerfile/rule/");
    REQUIRE(at != std::string::npos);
    CHECK(at >= previous);
    previous = at;
    CHECK(result.out.find("Dockerfile:" + std::to_string(line) + "\n", at) != std::string::npos);
  }
  CHECK_THAT(result.out, Catch::Contains("   8 | >>> CMD echo hi"));
}

TEST_CASE("a check (--call=check) passes a clean Dockerfile and honours the check directive's skip and error",
          "[integration][dockerfile]") {
  Workspace workspace;
  auto clean = build_text(workspace, "FROM busybox AS base\nCMD [\"sh\"]\n", {"--call=check"});
  INFO(clean.out << clean.err);
  CHECK(clean.exit_code == 0);
  CHECK(clean.out == "Check complete, no warnings found.\n");

  auto skipped = build_text(workspace, "# check=skip=StageNameCasing,FromAsCasing\nFROM busybox as Base\nCMD echo\n",
                            {"--call=check"});
  CHECK(skipped.exit_code == 1);
  CHECK_THAT(skipped.out, Catch::StartsWith("Check complete, 1 warning has been found!\n") &&
                              Catch::Contains("WARNING: JSONArgsRecommended") &&
                              !Catch::Contains("WARNING: StageNameCasing") &&
                              !Catch::Contains("WARNING: FromAsCasing"));

  auto all_skipped = build_text(workspace, "# check=skip=all\nFROM busybox as Base\nCMD echo\n", {"--check"});
  CHECK(all_skipped.exit_code == 0);

  auto failing = build_text(workspace, "# check=error=true\nFROM busybox as Base\nRUN echo must not run\n",
                            {"--progress", "rawjson"});
  INFO(failing.err);
  CHECK(failing.exit_code == 1);
  CHECK_THAT(failing.err, Catch::Contains("lint violation found for rules: FromAsCasing, StageNameCasing"));
  CHECK(started_steps(failing.err).empty());
}
