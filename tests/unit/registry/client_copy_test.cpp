// client_copy_test.cpp: moving content between repositories without a local image: configs read
// into memory (verified), blobs mounted within a registry and copied across registries, and
// whole images copied with their root pushed last.
#include <catch2/catch.hpp>

#include "client_harness.hpp"

using namespace dbuild;
using test::descriptor_of;
using test::Harness;
using test::Image;
using test::MemoryContentStore;
using test::reference;

namespace {

std::vector<std::string> lines_starting(const std::vector<std::string>& log, const std::string& prefix) {
  std::vector<std::string> found;
  for (const auto& line : log)
    if (line.starts_with(prefix)) found.push_back(line);
  return found;
}

}  // namespace

TEST_CASE("fetch_blob reads a config into memory and refuses one that does not match its digest",
          "[registry][client][copy]") {
  Harness harness;
  harness.fake.add_blob("x/app", "config bytes");
  auto blob = descriptor_of(sdk::media_type::kOciConfig, "config bytes");
  auto fetched = harness.client->fetch_blob(reference("reg.test/x/app"), blob);
  REQUIRE(fetched);
  CHECK(*fetched == "config bytes");

  harness.fake.blobs["x/app"][blob.digest.str()] = "tampered!!!!";
  auto refused = harness.client->fetch_blob(reference("reg.test/x/app"), blob);
  REQUIRE_FALSE(refused);
  CHECK(refused.status().code() == sdk::Code::InvalidArgument);
  CHECK(refused.status().message().find("does not match") != std::string::npos);

  auto too_big = harness.client->fetch_blob(reference("reg.test/x/app"), blob, 4);
  REQUIRE_FALSE(too_big);
  CHECK(too_big.status().code() == sdk::Code::InvalidArgument);
}

TEST_CASE("copy_blob mounts within a registry and downloads nothing", "[registry][client][copy]") {
  Harness harness;
  harness.fake.add_blob("lib/base", "shared layer");
  MemoryContentStore scratch;
  auto blob = descriptor_of(sdk::media_type::kOciLayer, "shared layer");
  REQUIRE(harness.client->copy_blob(reference("reg.test/lib/base"), reference("reg.test/x/app"), blob, scratch));
  CHECK(harness.fake.blobs["x/app"].count(blob.digest.str()));
  CHECK(lines_starting(harness.fake.log, "GET ").empty());
  CHECK(lines_starting(harness.fake.log, "POST /v2/x/app/blobs/uploads/?mount=").size() == 1);
  CHECK_FALSE(scratch.exists(blob.digest));
}

TEST_CASE("copy_blob from another registry goes through the scratch store", "[registry][client][copy]") {
  Harness harness;  // the fake serves every host from one set of repositories
  harness.fake.add_blob("lib/base", "foreign layer");
  MemoryContentStore scratch;
  auto blob = descriptor_of(sdk::media_type::kOciLayer, "foreign layer");
  REQUIRE(harness.client->copy_blob(reference("other.test/lib/base"), reference("reg.test/x/app"), blob, scratch));
  CHECK(harness.fake.blobs["x/app"].count(blob.digest.str()));
  CHECK(scratch.exists(blob.digest));
  CHECK(lines_starting(harness.fake.log, "GET /v2/lib/base/blobs/").size() == 1);
  for (const auto& line : harness.fake.log) CHECK(line.find("mount=") == std::string::npos);
}

TEST_CASE("copy_image copies an index's manifests and blobs, the index last and by digest",
          "[registry][client][copy]") {
  Harness harness;
  Image amd64("amd64", {"a"}), arm64("arm64", {"b"});
  amd64.serve_from(harness.fake, "src/app");
  arm64.serve_from(harness.fake, "src/app");
  harness.fake.add_manifest("src/app", "one", amd64.manifest, sdk::media_type::kOciManifest);
  harness.fake.add_manifest("src/app", "two", arm64.manifest, sdk::media_type::kOciManifest);
  oci::Index index;
  index.manifests = {descriptor_of(sdk::media_type::kOciManifest, amd64.manifest),
                     descriptor_of(sdk::media_type::kOciManifest, arm64.manifest)};
  auto index_json = oci::to_json(index);
  harness.fake.add_manifest("src/app", "multi", index_json, sdk::media_type::kOciIndex);
  harness.fake.log.clear();

  MemoryContentStore scratch;
  auto root = descriptor_of(sdk::media_type::kOciIndex, index_json);
  REQUIRE(harness.client->copy_image(reference("reg.test/src/app:multi"), reference("reg.test/dst/app:x"), root,
                                     scratch));
  auto puts = lines_starting(harness.fake.log, "PUT /v2/dst/app/manifests/");
  CHECK(puts == std::vector<std::string>{"PUT /v2/dst/app/manifests/" + oci::sha256_of(amd64.manifest).str(),
                                         "PUT /v2/dst/app/manifests/" + oci::sha256_of(arm64.manifest).str(),
                                         "PUT /v2/dst/app/manifests/" + root.digest.str()});
  CHECK(harness.fake.blobs["dst/app"].size() == 4);
  CHECK_FALSE(harness.fake.manifests["dst/app"].count("x"));
}
