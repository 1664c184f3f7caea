// imagetools_index_test.cpp: how `imagetools create` reads --annotation and assembles an index:
// the media type buildx would choose, duplicates, attestations, and annotations by platform.
#include <catch2/catch.hpp>

#include <dbuild/sdk/descriptor.hpp>

#include "cli/imagetools/imagetools_index.hpp"
#include "oci/sha256.hpp"

using namespace dbuild;
using cli::imagetools::Annotation;
using cli::imagetools::assemble_index;
using cli::imagetools::Entry;
using cli::imagetools::parse_annotation;
using nlohmann::json;

namespace {

Entry entry(const std::string& seed, const std::string& media_type, const std::string& platform) {
  json descriptor = {{"mediaType", media_type}, {"digest", oci::sha256_of(seed).str()}, {"size", 100}};
  auto first = platform.find('/');
  if (!platform.empty()) {
    auto second = platform.find('/', first + 1);
    descriptor["platform"] = {{"os", platform.substr(0, first)},
                              {"architecture", platform.substr(first + 1, second - first - 1)}};
    if (second != std::string::npos) descriptor["platform"]["variant"] = platform.substr(second + 1);
  }
  return {descriptor, oci::Reference{"reg.test", "x/app", "1", ""}, seed};
}

Annotation annotation(const std::string& text) {
  auto parsed = parse_annotation(text);
  INFO(parsed.status().to_string());
  REQUIRE(parsed);
  return *parsed;
}

}  // namespace

TEST_CASE("an annotation without a type is the index's: typed ones name their target and platforms",
          "[cli][imagetools]") {
  auto plain = annotation("org.opencontainers.image.authors=me=you");
  CHECK(plain.target == Annotation::Target::Index);
  CHECK(plain.key == "org.opencontainers.image.authors");
  CHECK(plain.value == "me=you");
  CHECK(annotation("index:k=v").target == Annotation::Target::Index);
  auto descriptor = annotation("manifest-descriptor[linux/amd64,linux/arm64/v8]:k=");
  CHECK(descriptor.target == Annotation::Target::ManifestDescriptor);
  CHECK(descriptor.platforms.size() == 2);
  CHECK(descriptor.platforms[1].str() == "linux/arm64");
  CHECK(descriptor.value.empty());
}

TEST_CASE("annotations create cannot apply are refused, saying why", "[cli][imagetools]") {
  for (const char* text : {"manifest:k=v", "index-descriptor:k=v", "novalue", "=v", "index[linux/amd64]:k=v",
                           "manifest-descriptor[notaplatform/]:k=v"}) {
    INFO(text);
    auto parsed = parse_annotation(text);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.status().code() == sdk::Code::InvalidArgument);
    CHECK(parsed.status().message().find(text) != std::string::npos);
  }
}

TEST_CASE("Docker manifests make a Docker manifest list, anything else an OCI index", "[cli][imagetools]") {
  auto docker = assemble_index({entry("a", sdk::media_type::kDockerManifest, "linux/amd64"),
                                entry("b", sdk::media_type::kDockerManifest, "linux/arm64")},
                               {});
  REQUIRE(docker);
  CHECK(docker->media_type == sdk::media_type::kDockerManifestList);
  CHECK(docker->digest == oci::sha256_of(docker->bytes));
  CHECK(json::parse(docker->bytes).at("schemaVersion") == 2);

  auto mixed = assemble_index({entry("a", sdk::media_type::kDockerManifest, "linux/amd64"),
                               entry("b", sdk::media_type::kOciManifest, "linux/arm64")},
                              {});
  REQUIRE(mixed);
  CHECK(mixed->media_type == sdk::media_type::kOciIndex);

  auto annotated =
      assemble_index({entry("a", sdk::media_type::kDockerManifest, "linux/amd64")}, {annotation("k=v")});
  REQUIRE(annotated);
  CHECK(annotated->media_type == sdk::media_type::kOciIndex);
  CHECK(json::parse(annotated->bytes).at("annotations").at("k") == "v");
}

TEST_CASE("one platform twice is refused: the same manifest twice and attestations are not", "[cli][imagetools]") {
  auto twice = assemble_index({entry("a", sdk::media_type::kOciManifest, "linux/arm64"),
                               entry("b", sdk::media_type::kOciManifest, "linux/arm64/v8")},
                              {});
  REQUIRE_FALSE(twice);
  CHECK(twice.status().message().find("duplicate platform linux/arm64") != std::string::npos);

  auto attestation = entry("att1", sdk::media_type::kOciManifest, "unknown/unknown");
  attestation.descriptor["annotations"] = {{"vnd.docker.reference.type", "attestation-manifest"}};
  auto other_attestation = entry("att2", sdk::media_type::kOciManifest, "unknown/unknown");
  auto index = assemble_index({entry("a", sdk::media_type::kOciManifest, "linux/amd64"), attestation,
                               entry("a", sdk::media_type::kOciManifest, "linux/amd64"), other_attestation},
                              {});
  REQUIRE(index);
  CHECK(json::parse(index->bytes).at("manifests").size() == 3);
}

TEST_CASE("a manifest-descriptor annotation needs an entry of its platform", "[cli][imagetools]") {
  std::vector<Entry> entries{entry("a", sdk::media_type::kOciManifest, "linux/amd64"),
                             entry("b", sdk::media_type::kOciManifest, "linux/arm/v7")};
  auto index = assemble_index(entries, {annotation("manifest-descriptor[linux/arm/v7]:k=v")});
  REQUIRE(index);
  auto manifests = json::parse(index->bytes).at("manifests");
  CHECK_FALSE(manifests[0].contains("annotations"));
  CHECK(manifests[1].at("annotations").at("k") == "v");
  CHECK_FALSE(assemble_index(entries, {annotation("manifest-descriptor[linux/s390x]:k=v")}));
  CHECK_FALSE(assemble_index({entry("c", sdk::media_type::kOciManifest, "")}, {}));
}
