// plugin_loading_test.cpp: the real dbuild binary against directories of good and deliberately
// bad plugins (built by this test build): every refusal names the file and the reason, and the
// good plugins still load.
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "dbuild_runner.hpp"
#include "plugin/builtin_plugins.hpp"

namespace fs = std::filesystem;
using dbuild::test::run_dbuild;
using nlohmann::json;

namespace {

json plugin_list(const dbuild::test::ProcessResult& result) {
  INFO("stderr: " << result.err);
  REQUIRE(result.exit_code == 0);
  return json::parse(result.out);
}

const json& entry_for(const json& list, const fs::path& file) {
  for (const auto& entry : list)
    if (entry["file"] == file.string()) return entry;
  FAIL("no entry for " << file << " in " << list.dump(2));
  static json none;
  return none;
}

std::string test_plugin_path() {
  return dbuild::test::test_plugin_first_dir().string() + ":" + dbuild::test::test_plugin_second_dir().string();
}

}  // namespace

TEST_CASE("plugin ls names every bad plugin with its reason and still loads the good ones", "[integration][plugin]") {
  auto result = run_dbuild({"plugin", "ls", "--format", "json"}, {{"DBUILD_PLUGIN_PATH", test_plugin_path()}});
  auto list = plugin_list(result);
  const auto first = dbuild::test::test_plugin_first_dir();
  const auto second = dbuild::test::test_plugin_second_dir();

  struct Expected {
    const char* file;
    const char* status;
    const char* reason_part;
  };
  const Expected expected[] = {
      {"empty.so", "refused", "empty file"},
      {"not-elf.so", "refused", "not an ELF file"},
      {"no-descriptor.so", "refused", "no dbuild_plugin descriptor"},
      {"abi-major.so", "refused", "major differs"},
      {"abi-minor.so", "refused", "newer than this dbuild's"},
      {"unknown-kind.so", "refused", "unknown plugin kind 9"},
      {"factory-throws.so", "refused", "factory threw an exception: the vendor's factory gave up"},
      {"undefined-symbol.so", "refused", "undefined symbol: dbuild_test_symbol_nobody_defines"},
      {"skipping.so", "skipped", "needs a feature this machine lacks"},
      {"good.so", "loaded", ""},
  };
  for (const auto& want : expected) {
    INFO(want.file);
    const auto& entry = entry_for(list, first / want.file);
    CHECK(entry["status"] == want.status);
    CHECK_THAT(entry["reason"].get<std::string>(), Catch::Contains(want.reason_part));
  }
  const auto& good = entry_for(list, first / "good.so");
  CHECK(good["kind"] == "exporter");
  CHECK(good["name"] == "test-good");

  const auto& duplicate = entry_for(list, second / "duplicate.so");
  CHECK(duplicate["status"] == "refused");
  CHECK(duplicate["reason"] == "exporter \"test-good\" is already provided by " + (first / "good.so").string() +
                                   " (the first one wins)");
}

TEST_CASE("plugin ls table prints one line per plugin with file and reason", "[integration][plugin]") {
  auto result = run_dbuild({"plugin", "ls"}, {{"DBUILD_PLUGIN_PATH", test_plugin_path()}});
  REQUIRE(result.exit_code == 0);
  auto lines = dbuild::test::lines_of(result.out);
  REQUIRE_FALSE(lines.empty());
  CHECK_THAT(lines[0], Catch::StartsWith("KIND") && Catch::Contains("STATUS"));
  auto line_for = [&](const std::string& file) -> std::string {
    for (const auto& line : lines)
      if (line.find(file) != std::string::npos) return line;
    return "";
  };
  CHECK_THAT(line_for("/empty.so"), Catch::EndsWith("refused: empty file"));
  CHECK_THAT(line_for("/not-elf.so"), Catch::EndsWith("refused: not an ELF file"));
  CHECK_THAT(line_for("/good.so"), Catch::StartsWith("exporter") && Catch::EndsWith("loaded"));
  CHECK_THAT(line_for("/skipping.so"), Catch::Contains("skipped: needs a feature this machine lacks"));
  CHECK(result.err.empty());
}

TEST_CASE("every built-in plugin loads from the build tree", "[integration][plugin]") {
  auto list = plugin_list(run_dbuild({"plugin", "ls", "--format", "json"}));
  for (const auto& builtin : dbuild::plugin::builtin_plugins()) {
    INFO(builtin.file);
    bool loaded = false;
    for (const auto& entry : list)
      if (entry["kind"] == builtin.kind && entry["name"] == builtin.name && entry["status"] == "loaded") {
        loaded = true;
        CHECK_THAT(entry["file"].get<std::string>(), Catch::EndsWith("/lib/dbuild/plugins/" + std::string(builtin.file)));
      }
    CHECK(loaded);
  }
  for (const auto& entry : list) CHECK(entry["status"] == "loaded");
}

TEST_CASE("a missing built-in plugin is reported, not silently absent", "[integration][plugin]") {
  dbuild::test::TempDir install;
  fs::create_directories(install.path() / "bin");
  fs::create_directories(install.path() / "lib/dbuild/plugins");
  fs::copy_file(dbuild::test::dbuild_binary(), install.path() / "bin/dbuild");
  dbuild::test::ProcessOptions options;
  options.environment = {{"DBUILD_PLUGIN_PATH", std::nullopt}, {"XDG_DATA_HOME", install.path().string()}};
  auto result = dbuild::test::run_process({(install.path() / "bin/dbuild").string(), "plugin", "ls"}, options);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("driver-local.so") && Catch::Contains("refused: built-in driver \"local\" is missing"));
}

TEST_CASE("the user plugin dir is searched after DBUILD_PLUGIN_PATH", "[integration][plugin]") {
  dbuild::test::TempDir data_home;
  auto user_dir = data_home.path() / "dbuild" / "plugins";
  fs::create_directories(user_dir);
  fs::copy_file(dbuild::test::test_plugin_first_dir() / "good.so", user_dir / "mine.so");

  SECTION("alone, the user's plugin loads") {
    auto list = plugin_list(run_dbuild({"plugin", "ls", "--format", "json"}, {{"XDG_DATA_HOME", data_home.path().string()}}));
    CHECK(entry_for(list, user_dir / "mine.so")["status"] == "loaded");
  }
  SECTION("behind DBUILD_PLUGIN_PATH, the earlier plugin of that name wins") {
    auto list = plugin_list(run_dbuild({"plugin", "ls", "--format", "json"},
                                       {{"XDG_DATA_HOME", data_home.path().string()},
                                        {"DBUILD_PLUGIN_PATH", dbuild::test::test_plugin_first_dir().string()}}));
    CHECK(entry_for(list, user_dir / "mine.so")["status"] == "refused");
  }
}

TEST_CASE("plugin inspect shows a plugin's descriptor and options", "[integration][plugin]") {
  auto result = run_dbuild({"plugin", "inspect", "test-good"}, {{"DBUILD_PLUGIN_PATH", test_plugin_path()}});
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("Name:        test-good"));
  CHECK_THAT(result.out, Catch::Contains("Kind:        exporter"));
  CHECK_THAT(result.out, Catch::Contains("Status:      loaded"));
  CHECK_THAT(result.out, Catch::Contains("dest") && Catch::Contains("level"));
  // The refused duplicate shares the name, and inspect shows it too, with its reason.
  CHECK_THAT(result.out, Catch::Contains("refused: exporter \"test-good\" is already provided by"));

  SECTION("KIND/NAME narrows to one kind") {
    auto json_result = run_dbuild({"plugin", "inspect", "driver/local", "--format", "json"});
    REQUIRE(json_result.exit_code == 0);
    auto list = json::parse(json_result.out);
    REQUIRE(list.size() == 1);
    CHECK(list[0]["kind"] == "driver");
    CHECK(list[0]["abi"].is_string());
  }
  SECTION("an unknown name is an error, exit 1") {
    auto missing = run_dbuild({"plugin", "inspect", "nosuch"});
    CHECK(missing.exit_code == 1);
    CHECK_THAT(missing.err, Catch::StartsWith("error: no plugin named \"nosuch\""));
  }
}
