// registry_hosts_test.cpp: registry names, which registries may use plain HTTP or unverified TLS,
// dbuild's config file, and Docker's certs.d directories.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>

#include "registry/registry_hosts.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace dbuild::registry;

namespace {

EnvLookup env_of(std::map<std::string, std::string> values) {
  return [values](const char* name) -> std::optional<std::string> {
    auto found = values.find(name);
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("Docker Hub's many names normalise to docker.io, served by registry-1.docker.io", "[registry][hosts]") {
  for (auto name : {"docker.io", "index.docker.io", "https://index.docker.io/v1/", "registry-1.docker.io", ""})
    CHECK(normalize_registry(name) == "docker.io");
  CHECK(api_host("docker.io") == "registry-1.docker.io");
  CHECK(normalize_registry("http://localhost:5000/") == "localhost:5000");
  CHECK(api_host("ghcr.io") == "ghcr.io");
}

TEST_CASE("loopback registries are insecure, others are not", "[registry][hosts]") {
  HostRules rules;
  for (auto host :
       {"localhost", "localhost:5000", "127.0.0.1:5000", "127.1.2.3", "[::1]:5000", "::1", "reg.localhost:80"})
    CHECK(is_insecure_host(rules, host));
  for (auto host : {"registry-1.docker.io", "10.0.0.1:5000", "localhost.example.com", "128.0.0.1"})
    CHECK_FALSE(is_insecure_host(rules, host));
}

TEST_CASE("a test of CA handling can make loopback registries secure", "[registry][hosts]") {
  HostRules rules;
  rules.loopback_is_insecure = false;
  CHECK_FALSE(is_insecure_host(rules, "127.0.0.1:5000"));
  CHECK(is_loopback_host("127.0.0.1:5000"));
}

TEST_CASE("insecure-registries entries match a host with or without its port, or an IP range", "[registry][hosts]") {
  HostRules rules;
  rules.insecure_registries = {"reg.internal:5000", "build.lan", "10.1.0.0/16", "fd00::/8"};
  CHECK(is_insecure_host(rules, "reg.internal:5000"));
  CHECK_FALSE(is_insecure_host(rules, "reg.internal:5001"));
  CHECK(is_insecure_host(rules, "build.lan"));
  CHECK(is_insecure_host(rules, "build.lan:8443"));
  CHECK(is_insecure_host(rules, "10.1.200.3:5000"));
  CHECK_FALSE(is_insecure_host(rules, "10.2.0.1:5000"));
  CHECK(is_insecure_host(rules, "[fd12::1]:5000"));
}

TEST_CASE("the config file's insecure-registries are read from the dbuild config directory", "[registry][hosts]") {
  dbuild::test::TempDir dir;
  write(dir.path() / "xdg" / "dbuild" / "config.json",
        R"({"insecure-registries": ["reg.internal:5000", "http://old.lan:80/", "10.0.0.0/8"], "other": 1})");
  auto rules = load_host_rules(env_of({{"XDG_CONFIG_HOME", (dir.path() / "xdg").string()}, {"HOME", "/nonexistent"}}));
  REQUIRE(rules);
  CHECK(rules->insecure_registries == std::vector<std::string>{"reg.internal:5000", "old.lan:80", "10.0.0.0/8"});
  REQUIRE(rules->certs_dirs.size() == 2);
  CHECK(rules->certs_dirs[0] == dir.path() / "xdg" / "dbuild" / "certs.d");
  CHECK(rules->certs_dirs[1] == "/etc/docker/certs.d");
}

TEST_CASE("DBUILD_CONFIG overrides XDG_CONFIG_HOME, which overrides ~/.config", "[registry][hosts]") {
  CHECK(dbuild_config_dir(env_of({{"DBUILD_CONFIG", "/a"}, {"XDG_CONFIG_HOME", "/b"}, {"HOME", "/c"}})) == "/a");
  CHECK(dbuild_config_dir(env_of({{"XDG_CONFIG_HOME", "/b"}, {"HOME", "/c"}})) == "/b/dbuild");
  CHECK(dbuild_config_dir(env_of({{"HOME", "/c"}})) == "/c/.config/dbuild");
}

TEST_CASE("a missing config file means no insecure registries, and a malformed one is an error naming it",
          "[registry][hosts]") {
  dbuild::test::TempDir dir;
  auto none = load_host_rules(env_of({{"DBUILD_CONFIG", dir.path().string()}}));
  REQUIRE(none);
  CHECK(none->insecure_registries.empty());
  write(dir.path() / "config.json", R"({"insecure-registries": "reg:5000"})");
  auto bad = load_host_rules(env_of({{"DBUILD_CONFIG", dir.path().string()}}));
  REQUIRE_FALSE(bad);
  CHECK(bad.status().message().find((dir.path() / "config.json").string()) != std::string::npos);
}

TEST_CASE("certs.d gives a registry's extra CAs and client certificate", "[registry][hosts]") {
  dbuild::test::TempDir dir;
  write(dir.path() / "reg.example:5000" / "ca.crt", "CA-ONE");
  write(dir.path() / "reg.example:5000" / "client.cert", "CERT");
  write(dir.path() / "reg.example:5000" / "client.key", "KEY");
  HostRules rules;
  rules.certs_dirs = {dir.path()};
  auto endpoint = endpoint_for(rules, "reg.example:5000");
  CHECK(endpoint.host == "reg.example:5000");
  CHECK_FALSE(endpoint.insecure);
  CHECK(endpoint.ca_pem.find("CA-ONE") != std::string::npos);
  CHECK(endpoint.client_cert == dir.path() / "reg.example:5000" / "client.cert");
  CHECK(endpoint.client_key == dir.path() / "reg.example:5000" / "client.key");
  CHECK(endpoint_for(rules, "other:5000").ca_pem.empty());
}
