// dockerfile_exclude_scenario_test.cpp: BuildKit's COPY/ADD --exclude scenario
// (conformance/dockerfile-instructions/copy-exclude-scenario.json), built by the real dbuild
// from scratch stages only, its 48 path checks made on the exported files.
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "build_workspace.hpp"
#include "dbuild_runner.hpp"
#include "support/skip.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json load_scenario() {
  const fs::path path = fs::path(DBUILD_CONFORMANCE_DIR) / "dockerfile-instructions" / "copy-exclude-scenario.json";
  if (!fs::exists(path)) dbuild::test::skip_test("conformance corpus not found: " + path.string());
  return json::parse(dbuild::test::read_file(path));
}

void write_context(const json& tree, const fs::path& context) {
  fs::create_directories(context);
  for (const auto& entry : tree) {
    const fs::path path = context / entry["path"].get<std::string>();
    const std::string type = entry["type"].get<std::string>();
    if (type == "dir") fs::create_directories(path);
    if (type == "file") dbuild::test::write_file(path, entry["content"].get<std::string>());
    if (type == "symlink") fs::create_symlink(entry["target"].get<std::string>(), path);
  }
}

// Why `expected` does not hold in `out`, or "" when it does.
std::string check_path(const json& expected, const fs::path& out) {
  const fs::path path = out / expected["path"].get<std::string>();
  const auto status = fs::symlink_status(path);
  if (expected["excluded"].get<bool>()) return fs::exists(status) ? "present, but excluded" : "";
  if (!fs::exists(status)) return "missing";
  const std::string want = expected["content"].get<std::string>();
  const std::string got = fs::is_symlink(status) ? fs::read_symlink(path).string() : dbuild::test::read_file(path);
  return got == want ? "" : "holds \"" + got + "\", not \"" + want + "\"";
}

}  // namespace

TEST_CASE("COPY and ADD --exclude leave out what BuildKit's exclude scenario says", "[integration][dockerfile]") {
  dbuild::test::require_root();
  const json scenario = load_scenario();
  dbuild::test::TempDir dir;
  const fs::path context = dir.path() / "context", out = dir.path() / "out";
  write_context(scenario["context_tree"], context);
  dbuild::test::write_file(context / "Dockerfile", scenario["dockerfile"].get<std::string>());

  const auto result = dbuild::test::run_dbuild({"--root", (dir.path() / "state").string(), "build", "--progress",
                                                "plain", "-o", out.string(), context.string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);

  int passed = 0, total = 0;
  for (const auto& expected : scenario["expected"]) {
    const std::string why = check_path(expected, out);
    ++total;
    if (why.empty()) ++passed;
    else UNSCOPED_INFO("FAILED " << expected["path"].get<std::string>() << ": " << why);
  }
  for (const auto& empty : scenario["expect_empty_dirs"]) {
    const fs::path path = out / empty.get<std::string>();
    INFO(path.string() << " must be an empty directory");
    CHECK((fs::is_directory(path) && fs::is_empty(path)));
  }
  WARN("copy-exclude scenario: " << passed << "/" << total << " path checks passed");
  CHECK(passed == total);
}
