// oci_config_test.cpp: the runtime spec given to runc for a step.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "executor/run_spec.hpp"

using dbuild::executor::RunSpec;
using nlohmann::json;

namespace {

bool has_namespace(const json& config, const std::string& type) {
  for (const auto& ns : config["linux"]["namespaces"])
    if (ns["type"] == type) return true;
  return false;
}

}  // namespace

TEST_CASE("a default step gets BuildKit's PATH, a new network namespace and default capabilities", "[executor][oci]") {
  RunSpec spec;
  spec.rootfs = "/rootfs";
  spec.args = {"/bin/sh", "-c", "true"};
  spec.env = {"A=1"};
  auto config = json::parse(dbuild::executor::make_oci_config(spec));
  CHECK(config["root"]["path"] == "/rootfs");
  CHECK(config["hostname"] == "buildkitsandbox");
  CHECK(config["process"]["env"] ==
        json({"A=1", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}));
  CHECK(has_namespace(config, "network"));
  CHECK(has_namespace(config, "pid"));
  auto caps = config["process"]["capabilities"]["bounding"];
  CHECK(std::find(caps.begin(), caps.end(), "CAP_CHOWN") != caps.end());
  CHECK(std::find(caps.begin(), caps.end(), "CAP_SYS_ADMIN") == caps.end());
  CHECK(config["linux"].contains("maskedPaths"));
}

TEST_CASE("host network shares the host's namespace: insecure gets every capability", "[executor][oci]") {
  RunSpec spec;
  spec.network = dbuild::sdk::NetworkMode::Host;
  spec.security = dbuild::sdk::SecurityMode::Insecure;
  spec.env = {"PATH=/custom"};
  auto config = json::parse(dbuild::executor::make_oci_config(spec));
  CHECK_FALSE(has_namespace(config, "network"));
  CHECK(config["process"]["env"] == json({"PATH=/custom"}));
  auto caps = config["process"]["capabilities"]["bounding"];
  CHECK(std::find(caps.begin(), caps.end(), "CAP_SYS_ADMIN") != caps.end());
  CHECK_FALSE(config["linux"].contains("maskedPaths"));
}

TEST_CASE("extra mounts follow the standard ones in order", "[executor][oci]") {
  RunSpec spec;
  spec.mounts.push_back({dbuild::executor::MountSpec::Type::Bind, "/host/src", "/src", true, 0});
  spec.mounts.push_back({dbuild::executor::MountSpec::Type::Tmpfs, {}, "/scratch", false, 1048576});
  auto mounts = json::parse(dbuild::executor::make_oci_config(spec))["mounts"];
  REQUIRE(mounts.size() >= 2);
  auto bind = mounts[mounts.size() - 2];
  CHECK(bind["destination"] == "/src");
  CHECK(bind["source"] == "/host/src");
  CHECK(std::find(bind["options"].begin(), bind["options"].end(), "ro") != bind["options"].end());
  auto tmpfs = mounts.back();
  CHECK(tmpfs["type"] == "tmpfs");
  CHECK(std::find(tmpfs["options"].begin(), tmpfs["options"].end(), "size=1048576") != tmpfs["options"].end());
}
