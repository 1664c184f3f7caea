// select_platform_test.cpp: choosing a manifest from a multi-platform index, in containerd's
// order of preference (the accept/refuse tables run in the conformance suite).
#include <catch2/catch.hpp>

#include "oci/image_format.hpp"

namespace oci = dbuild::oci;
namespace sdk = dbuild::sdk;

namespace {

oci::Index index_of(std::initializer_list<const char*> platforms) {
  oci::Index index;
  for (const char* text : platforms) {
    sdk::Descriptor entry;
    entry.media_type = sdk::media_type::kOciManifest;
    if (std::string(text) != "none") entry.platform = *sdk::Platform::parse_specifier(text);
    index.manifests.push_back(entry);
  }
  return index;
}

sdk::Platform platform(const char* text) { return *sdk::Platform::parse(text); }

}  // namespace

TEST_CASE("the wanted platform itself is chosen before anything it can also run", "[oci][platform]") {
  auto index = index_of({"linux/arm/v6", "linux/386", "linux/arm/v7", "linux/amd64", "linux/arm64"});
  CHECK(oci::select_platform(index, platform("linux/amd64")) == 3u);
  CHECK(oci::select_platform(index, platform("linux/arm64")) == 4u);
  CHECK(oci::select_platform(index, platform("linux/arm/v7")) == 2u);
}

TEST_CASE("without an exact entry, the best compatible one is chosen", "[oci][platform]") {
  CHECK(oci::select_platform(index_of({"linux/arm/v5", "linux/arm/v7", "linux/arm/v6"}), platform("linux/arm64")) ==
        1u);
  CHECK(oci::select_platform(index_of({"linux/arm64/v8.1", "linux/arm64"}), platform("linux/arm64/v8.2")) == 0u);
  CHECK(oci::select_platform(index_of({"linux/s390x", "linux/386"}), platform("linux/amd64")) == 1u);
  CHECK(oci::select_platform(index_of({"linux/amd64", "linux/amd64/v3"}), platform("linux/amd64/v2")) == 0u);
}

TEST_CASE("entries without a platform, and ones the machine cannot run, are never chosen", "[oci][platform]") {
  CHECK_FALSE(oci::select_platform(index_of({"none", "linux/arm64/v9", "windows/amd64"}), platform("linux/arm64")));
  CHECK_FALSE(oci::select_platform(index_of({"linux/amd64"}), platform("linux/386")));
}

TEST_CASE("of equal entries the first is chosen", "[oci][platform]") {
  CHECK(oci::select_platform(index_of({"linux/arm64/v8", "linux/aarch64"}), platform("linux/arm64")) == 0u);
}
