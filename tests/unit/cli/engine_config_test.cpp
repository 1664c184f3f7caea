// engine_config_test.cpp: the "history" section of dbuild's config.json as the engine gets it:
// defaults when it is missing, every key read, and each malformed value refused with an error
// that names the file and the key.
#include <catch2/catch.hpp>

#include <fstream>

#include "cli/engine_config.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using dbuild::cli::load_engine_settings;
using dbuild::sdk::Code;

fs::path write_config(const dbuild::test::TempDir& dir, const std::string& text) {
  const auto file = dir.path() / "config.json";
  std::ofstream(file, std::ios::binary) << text;
  return file;
}

}  // namespace

TEST_CASE("engine settings are the defaults without a config file or a history section", "[cli][config]") {
  dbuild::test::TempDir dir;
  const dbuild::engine::EngineSettings defaults;
  for (const auto& file : {dir.path() / "config.json", write_config(dir, R"({"insecure-registries": []})")}) {
    auto settings = load_engine_settings(file);
    REQUIRE(settings);
    CHECK(settings->history_max_entries == defaults.history_max_entries);
    CHECK(settings->history_max_age_seconds == defaults.history_max_age_seconds);
    CHECK(settings->history_log_ceiling == defaults.history_log_ceiling);
  }
}

TEST_CASE("engine settings read max-entries, max-age and log-limit from the history section", "[cli][config]") {
  dbuild::test::TempDir dir;
  auto settings = load_engine_settings(
      write_config(dir, R"({"history": {"max-entries": 3, "max-age": "2d", "log-limit": "1MiB"}})"));
  INFO(settings.status().to_string());
  REQUIRE(settings);
  CHECK(settings->history_max_entries == 3);
  CHECK(settings->history_max_age_seconds == 2 * 86400);
  CHECK(settings->history_log_ceiling == 1 << 20);

  auto unlimited =
      load_engine_settings(write_config(dir, R"({"history": {"max-entries": 0, "max-age": "0s", "log-limit": 4096}})"));
  REQUIRE(unlimited);
  CHECK(unlimited->history_max_entries == 0);
  CHECK(unlimited->history_max_age_seconds == 0);
  CHECK(unlimited->history_log_ceiling == 4096);
}

TEST_CASE("engine settings refuse a malformed config file, naming the file and the key", "[cli][config]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", "not a JSON object"},
      {"[1, 2]", "not a JSON object"},
      {R"({"history": 5})", "\"history\" must be an object"},
      {R"({"history": {"max-entries": "many"}})", "\"history\".\"max-entries\""},
      {R"({"history": {"max-entries": -1}})", "\"history\".\"max-entries\""},
      {R"({"history": {"max-entries": 2.5}})", "\"history\".\"max-entries\""},
      {R"({"history": {"max-age": "soon"}})", "\"history\".\"max-age\""},
      {R"({"history": {"max-age": 30}})", "\"history\".\"max-age\""},
      {R"({"history": {"log-limit": "lots"}})", "\"history\".\"log-limit\""},
      {R"({"history": {"log-limit": -5}})", "\"history\".\"log-limit\""},
      {R"({"history": {"keep": 3}})", "\"history\".\"keep\": unknown setting"},
  };
  dbuild::test::TempDir dir;
  for (const auto& [text, expected] : cases) {
    const auto file = write_config(dir, text);
    auto settings = load_engine_settings(file);
    INFO(text);
    REQUIRE_FALSE(settings);
    INFO(settings.status().to_string());
    CHECK(settings.status().code() == Code::InvalidArgument);
    CHECK_THAT(settings.status().to_string(), Catch::Contains(file.string()) && Catch::Contains(expected));
  }
}
