// image_format_test.cpp: dbuild's readers refuse what the image spec's own validation refuses
// beyond the JSON schema (the spec's whole table runs in the conformance suite).
#include <catch2/catch.hpp>

#include "oci/image_config.hpp"
#include "oci/image_format.hpp"

namespace oci = dbuild::oci;

namespace {

const std::string kDigest = "sha256:" + std::string(64, 'a');

std::string manifest_with_config(const std::string& config_descriptor) {
  return R"({"schemaVersion": 2, "config": )" + config_descriptor + R"(, "layers": []})";
}

}  // namespace

TEST_CASE("descriptors with a size as a string, upper-case hex or unpadded data are refused", "[oci][format]") {
  auto size_text = oci::parse_manifest(
      manifest_with_config(R"({"mediaType": "a/b", "size": "12", "digest": ")" + kDigest + R"("})"));
  REQUIRE_FALSE(size_text);
  CHECK(size_text.status().message() == "manifest.config.size: expected an integer");
  CHECK_FALSE(
      oci::parse_descriptor(R"({"mediaType": "a/b", "size": 1, "digest": "sha256:)" + std::string(64, 'A') + "\"}"));
  CHECK_FALSE(oci::parse_descriptor(R"({"mediaType": "a/b", "size": 1, "data": "YQ", "digest": ")" + kDigest + "\"}"));
  CHECK(oci::parse_descriptor(R"({"mediaType": "a/b", "size": 1, "data": "YQ==", "digest": ")" + kDigest + "\"}"));
}

TEST_CASE("a schemaVersion of the wrong type is an error, not a crash", "[oci][format]") {
  CHECK_FALSE(oci::parse_index(R"({"schemaVersion": "2", "manifests": []})"));
  CHECK(oci::parse_index(R"({"schemaVersion": 2, "manifests": []})"));
}

TEST_CASE("image configs are read with typed fields and NAME=value Env entries", "[oci][format]") {
  auto config = oci::parse_config(R"({"architecture": "arm64", "variant": "v8", "os": "linux",
    "config": {"Env": ["PATH=/bin"], "Entrypoint": null}, "rootfs": {"type": "layers", "diff_ids": [")" +
                                  kDigest + "\"]}}");
  REQUIRE(config);
  CHECK(config->platform.str() == "linux/arm64/v8");
  CHECK(config->diff_ids == std::vector<std::string>{kDigest});
  auto env = oci::parse_config(R"({"config": {"Env": ["foo"]}})");
  REQUIRE_FALSE(env);
  CHECK(env.status().message() == "config.Env[0]: \"foo\" is not NAME=value");
  CHECK_FALSE(oci::parse_config(R"({"created": "yesterday"})"));
  CHECK_FALSE(oci::parse_config(R"({"config": {"Volumes": ["/data"]}})"));
}
