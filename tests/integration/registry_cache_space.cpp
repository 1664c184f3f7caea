// registry_cache_space.cpp: the registry cache test helpers (registry_cache_space.hpp).
#include "registry_cache_space.hpp"

#include <catch2/catch.hpp>

#include "dockerfile_workspace.hpp"

namespace dbuild::test {

namespace fs = std::filesystem;

RegistryCacheSpace::RegistryCacheSpace() {
  fs::create_directories(space.path("docker-config"));
  fs::create_directories(space.path("dbuild-config"));
  space.environment = {{"DOCKER_CONFIG", space.path("docker-config").string()},
                       {"DBUILD_CONFIG", space.path("dbuild-config").string()}};
}

std::string skopeo_raw(const std::string& reference, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"inspect", "--tls-verify=false", "--raw"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back("docker://" + reference);
  auto inspected = run_skopeo(args);
  INFO(inspected.err);
  REQUIRE(inspected.exit_code == 0);
  if (!inspected.out.empty() && inspected.out.back() == '\n') inspected.out.pop_back();  // dbuild's JSON ends in '}'
  return inspected.out;
}

}  // namespace dbuild::test
