// reference_test.cpp: what dbuild's callers rely on from parse_reference (the whole
// distribution/reference table runs in the conformance suite).
#include <catch2/catch.hpp>

#include "oci/reference.hpp"

namespace oci = dbuild::oci;

TEST_CASE("image names normalise to docker.io/library with :latest added", "[oci][reference]") {
  auto reference = oci::parse_reference("alpine");
  REQUIRE(reference);
  CHECK(reference->str() == "docker.io/library/alpine:latest");
  CHECK(reference->familiar() == "alpine:latest");
  auto nested = oci::parse_reference("docker.io/library/foo/bar:1");
  REQUIRE(nested);
  CHECK(nested->familiar() == "library/foo/bar:1");
  auto registry = oci::parse_reference("127.0.0.1:5000/x/app");
  REQUIRE(registry);
  CHECK(registry->domain == "127.0.0.1:5000");
  CHECK(registry->path == "x/app");
  CHECK(registry->tag == "latest");
}

TEST_CASE("a reference with a tag and a digest keeps both: parse_docker_ref drops the tag", "[oci][reference]") {
  const std::string digest = "sha256:" + std::string(64, 'a');
  auto both = oci::parse_reference("busybox:1@" + digest);
  REQUIRE(both);
  CHECK(both->tag == "1");
  CHECK(both->digest == digest);
  auto pulled = oci::parse_docker_ref("busybox:1@" + digest);
  REQUIRE(pulled);
  CHECK(pulled->str() == "docker.io/library/busybox@" + digest);
}

TEST_CASE("reference errors carry Docker's message with the input as context", "[oci][reference]") {
  auto bad = oci::parse_reference("Foo");
  REQUIRE_FALSE(bad);
  CHECK(bad.status().code() == dbuild::sdk::Code::InvalidArgument);
  CHECK(bad.status().message() == "invalid reference format: repository name (library/Foo) must be lowercase");
  CHECK(bad.status().to_string().find("image reference \"Foo\"") != std::string::npos);
}
