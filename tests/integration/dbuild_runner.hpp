// dbuild_runner.hpp: runs the built `dbuild` binary for integration tests, with a private
// XDG_DATA_HOME so that nothing from the machine's user plugin dir leaks in.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace dbuild::test {

/// Paths the test build passes in as compile definitions.
std::filesystem::path dbuild_binary();
std::filesystem::path test_plugin_first_dir();
std::filesystem::path test_plugin_second_dir();

/// Runs dbuild with `args`. `environment` is applied on top of a clean plugin environment:
/// DBUILD_PLUGIN_PATH unset and XDG_DATA_HOME pointing at an empty directory.
ProcessResult run_dbuild(const std::vector<std::string>& args,
                         std::map<std::string, std::optional<std::string>> environment = {});

}  // namespace dbuild::test
