// history_workspace.hpp: what the build history's integration tests share: building the
// workspace's context and reading `dbuild history ... --format json`.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dockerfile_workspace.hpp"

namespace dbuild::test {

/// `dbuild build ARGS CONTEXT` on the workspace's context directory.
ProcessResult build(Workspace& workspace, std::vector<std::string> args);

/// `dbuild history ARGS --format json`, parsed; fails the test when it does not exit 0.
nlohmann::json history_json(Workspace& workspace, std::vector<std::string> args);

}  // namespace dbuild::test
