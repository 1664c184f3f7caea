// cli_test.cpp: the dbuild command line: help at every level, usage errors (one line, a hint,
// exit 2), and `dbuild version`.
#include <catch2/catch.hpp>
#include <dbuild/sdk/abi.hpp>
#include <nlohmann/json.hpp>

#include "dbuild_runner.hpp"

using dbuild::test::run_dbuild;

TEST_CASE("every command level answers --help on stdout with exit 0", "[integration][cli]") {
  auto args = GENERATE(as<std::vector<std::string>>{}, std::vector<std::string>{"--help"},
                       std::vector<std::string>{"-h"}, std::vector<std::string>{"plugin", "--help"},
                       std::vector<std::string>{"plugin", "ls", "--help"},
                       std::vector<std::string>{"plugin", "inspect", "--help"},
                       std::vector<std::string>{"version", "--help"}, std::vector<std::string>{});
  auto result = run_dbuild(args);
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::StartsWith("Usage:  dbuild"));
  CHECK(result.err.empty());
}

TEST_CASE("top-level help lists the commands", "[integration][cli]") {
  auto result = run_dbuild({"--help"});
  CHECK_THAT(result.out, Catch::Contains("  plugin ") && Catch::Contains("  version "));
  CHECK_THAT(result.out, Catch::Contains("--root DIR"));
}

TEST_CASE("a command that runs by itself lists its sub-commands under its own help", "[integration][cli]") {
  for (const auto& [group, sub] : {std::pair{"history", "  inspect "}, std::pair{"images", "  rm "}}) {
    auto result = run_dbuild({group, "--help"});
    CHECK(result.exit_code == 0);
    CHECK_THAT(result.out, Catch::StartsWith(std::string("Usage:  dbuild ") + group) && Catch::Contains("Commands:") &&
                               Catch::Contains(sub) && Catch::Contains("--format"));
  }
}

TEST_CASE("usage errors print one error line and a hint, and exit 2", "[integration][cli]") {
  struct Case {
    std::vector<std::string> args;
    std::string error;
    std::string hint_path;
  };
  auto usage = GENERATE(
      Case{{"frobnicate"}, "error: unknown command \"frobnicate\" for \"dbuild\"", "dbuild"},
      Case{{"plugin", "frob"}, "error: unknown command \"frob\" for \"dbuild plugin\"", "dbuild plugin"},
      Case{{"--bogus", "version"}, "error: unknown flag: --bogus", "dbuild"},
      Case{{"plugin", "ls", "--bogus"}, "error: unknown flag: --bogus", "dbuild plugin ls"},
      Case{{"plugin", "ls", "extra"}, "error: too many arguments", "dbuild plugin ls"},
      Case{{"plugin", "inspect"}, "error: \"dbuild plugin inspect\" requires exactly 1 argument", "dbuild plugin inspect"},
      Case{{"plugin", "inspect", "a", "b"}, "error: too many arguments", "dbuild plugin inspect"},
      Case{{"plugin", "ls", "--format"}, "error: the required argument for option '--format' is missing",
           "dbuild plugin ls"},
      Case{{"plugin", "ls", "--format", "yaml"}, "error: unknown format \"yaml\" (want table or json)",
           "dbuild plugin ls"},
      Case{{"version", "--format", "xml"}, "error: unknown format \"xml\" (want text or json)", "dbuild version"},
      Case{{"--root"}, "error: flag needs an argument: --root", "dbuild"},
      Case{{"--max-parallelism", "0", "version"},
           "error: --max-parallelism: want a whole number from 1 up, got \"0\"", "dbuild"},
      Case{{"--max-parallelism=many", "version"},
           "error: --max-parallelism: want a whole number from 1 up, got \"many\"", "dbuild"});
  INFO("args: " << Catch::Detail::stringify(usage.args));
  auto result = run_dbuild(usage.args);
  CHECK(result.exit_code == 2);
  CHECK(result.out.empty());
  auto lines = dbuild::test::lines_of(result.err);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == usage.error);
  CHECK(lines[1] == "hint: run '" + usage.hint_path + " --help' for usage");
}

TEST_CASE("version reports the version, commit, plugin ABI and plugin dirs", "[integration][cli]") {
  dbuild::test::TempDir extra;
  auto result = run_dbuild({"version"}, {{"DBUILD_PLUGIN_PATH", extra.path().string()}});
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::StartsWith("dbuild 0."));
  CHECK_THAT(result.out, Catch::Contains("git commit:"));
  CHECK_THAT(result.out, Catch::Contains("plugin ABI:  " + std::to_string(dbuild::sdk::kAbiMajor) + "."));
  CHECK_THAT(result.out, Catch::Contains("/lib/dbuild/plugins (built-in)"));
  CHECK_THAT(result.out, Catch::Contains(extra.path().string() + " (DBUILD_PLUGIN_PATH)"));
  CHECK_THAT(result.out, Catch::Contains("/dbuild/plugins (user)"));

  auto json_result = run_dbuild({"version", "--format", "json"});
  REQUIRE(json_result.exit_code == 0);
  auto doc = nlohmann::json::parse(json_result.out);
  CHECK(doc["plugin_abi"].get<std::string>().starts_with(std::to_string(dbuild::sdk::kAbiMajor) + "."));
  CHECK(doc["plugin_dirs"].size() == 2);  // built-in and user; no DBUILD_PLUGIN_PATH here
}
