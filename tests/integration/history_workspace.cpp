// history_workspace.cpp: the build history's integration test helpers.
#include "history_workspace.hpp"

#include <catch2/catch.hpp>

namespace dbuild::test {

ProcessResult build(Workspace& workspace, std::vector<std::string> args) {
  args.push_back(workspace.context.string());
  return build_dockerfile(workspace, {args, "", {}});
}

nlohmann::json history_json(Workspace& workspace, std::vector<std::string> args) {
  std::vector<std::string> full = {"history"};
  full.insert(full.end(), args.begin(), args.end());
  full.insert(full.end(), {"--format", "json"});
  auto result = workspace.dbuild(full);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return nlohmann::json::parse(result.out);
}

}  // namespace dbuild::test
