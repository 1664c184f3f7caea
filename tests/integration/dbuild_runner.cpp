// dbuild_runner.cpp: locating the built binary and running it in a controlled environment.
#include "dbuild_runner.hpp"

#include <cstdlib>
#include <stdexcept>

namespace dbuild::test {

std::filesystem::path dbuild_binary() { return DBUILD_TEST_BINARY; }
std::filesystem::path test_plugin_first_dir() { return DBUILD_TEST_PLUGIN_FIRST_DIR; }
std::filesystem::path test_plugin_second_dir() { return DBUILD_TEST_PLUGIN_SECOND_DIR; }

ProcessResult run_dbuild(const std::vector<std::string>& args,
                         std::map<std::string, std::optional<std::string>> environment) {
  TempDir data_home;
  ProcessOptions options;
  options.environment = {{"DBUILD_PLUGIN_PATH", std::nullopt}, {"XDG_DATA_HOME", data_home.path().string()}};
  for (auto& [name, value] : environment) options.environment[name] = std::move(value);
  std::vector<std::string> argv{dbuild_binary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, options);
}

}  // namespace dbuild::test
