// dockerfile_error_lines_test.cpp: BuildKit's error source map cases
// (conformance/dockerfile-instructions/error-source-lines.json) built by the real dbuild: the
// build fails and the Dockerfile lines it marks are the ones BuildKit's source map gives.
#include <filesystem>
#include <regex>
#include <set>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "build_workspace.hpp"
#include "dbuild_runner.hpp"
#include "instructions/instructions.hpp"
#include "parser/parser.hpp"
#include "support/skip.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
namespace df = dbuild::dockerfile;
using nlohmann::json;

json load_cases() {
  const fs::path path = fs::path(DBUILD_CONFORMANCE_DIR) / "dockerfile-instructions" / "error-source-lines.json";
  if (!fs::exists(path)) dbuild::test::skip_test("conformance corpus not found: " + path.string());
  return json::parse(dbuild::test::read_file(path));
}

bool names_stage(const df::Dockerfile& dockerfile, const std::string& name) {
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) return true;
  for (const auto& stage : dockerfile.stages)
    if (stage.name == name) return true;
  return false;
}

// A case that reaches an image registry before failing (a frontend image, a base image, COPY
// --from an image) cannot run here: nothing reaches the internet. The conversion test runs those
// with a fake registry (tests/conformance/dockerfile_conversion_test.cpp).
bool needs_registry(const std::string& text) {
  auto parsed = df::parse(text);
  if (!parsed) return false;
  if (!parsed->directives.syntax.empty()) return true;
  auto dockerfile = df::parse_dockerfile(parsed->root);
  if (!dockerfile) return false;
  for (const auto& stage : dockerfile->stages) {
    if (stage.base_name != "scratch" && !names_stage(*dockerfile, stage.base_name)) return true;
    for (const auto& command : stage.commands) {
      const auto* copy = std::get_if<df::CopyCommand>(&command);
      if (copy && !copy->from.empty() && !names_stage(*dockerfile, copy->from)) return true;
    }
  }
  return false;
}

// The lines the CLI's Dockerfile snippet marks with ">>>".
std::set<int> marked_lines(const std::string& err) {
  std::set<int> lines;
  static const std::regex kMarked(R"(^\s*(\d+) \| >>> )");
  for (const auto& line : dbuild::test::lines_of(err)) {
    std::smatch match;
    if (std::regex_search(line, match, kMarked)) lines.insert(std::stoi(match[1].str()));
  }
  return lines;
}

}  // namespace

TEST_CASE("a failing Dockerfile build marks the lines BuildKit's source map gives", "[integration][dockerfile]") {
  dbuild::test::require_root();
  dbuild::test::TempDir dir;
  const json cases = load_cases();
  int passed = 0, total = 0, skipped = 0;
  for (const auto& c : cases["cases"]) {
    const std::string name = c["name"].get<std::string>(), text = c["dockerfile"].get<std::string>();
    if (needs_registry(text)) {
      ++skipped;
      continue;
    }
    const fs::path context = dir.path() / name;
    dbuild::test::write_file(context / "Dockerfile", text);
    const auto result = dbuild::test::run_dbuild(
        {"--root", (dir.path() / "state").string(), "build", "--progress", "plain", context.string()});
    const auto want = c["error_lines"].get<std::set<int>>();
    const bool ok = result.exit_code == 1 && marked_lines(result.err) == want;
    ++total;
    if (ok) ++passed;
    else UNSCOPED_INFO("FAILED " << name << " (exit " << result.exit_code << "):\n" << result.err);
  }
  WARN("error source lines: " << passed << "/" << total << " passed (" << skipped
                              << " need an image registry; the conversion test covers them)");
  CHECK(passed == total);
}
