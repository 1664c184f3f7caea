// cache_root_test.cpp: an image index as --cache-from: the inline records of each of its images
// are read (the requested platform's first, images without records skipped), from documents a
// fake reader serves out of memory.
#include <catch2/catch.hpp>

#include <map>

#include <nlohmann/json.hpp>

#include "cache/cache_config.hpp"
#include "cache/cache_root.hpp"
#include "oci/image_format.hpp"
#include "oci/sha256.hpp"

namespace cache = dbuild::cache;
namespace sdk = dbuild::sdk;
using dbuild::oci::sha256_of;
using nlohmann::json;

namespace {

// Blobs in memory, written only with the digest they must have.
class MemoryStore final : public sdk::ContentStore {
 public:
  sdk::Result<sdk::Digest> write(std::string_view data, std::optional<sdk::Digest> expected) override {
    auto digest = sha256_of(data);
    if (expected && *expected != digest) return sdk::Status::invalid_argument("digest mismatch");
    blobs_[digest.str()] = std::string(data);
    return digest;
  }
  sdk::Result<std::unique_ptr<sdk::BlobWriter>> writer() override { return sdk::Status::unimplemented("writer"); }
  bool exists(const sdk::Digest& digest) override { return blobs_.count(digest.str()) > 0; }
  sdk::Result<std::int64_t> size(const sdk::Digest& digest) override {
    if (!exists(digest)) return sdk::Status::not_found(digest.str());
    return static_cast<std::int64_t>(blobs_[digest.str()].size());
  }
  sdk::Result<std::string> read(const sdk::Digest& digest) override {
    if (!exists(digest)) return sdk::Status::not_found(digest.str());
    return blobs_[digest.str()];
  }
  sdk::Result<std::filesystem::path> path(const sdk::Digest&) override { return sdk::Status::unimplemented("path"); }

 private:
  std::map<std::string, std::string> blobs_;
};

// A registry in memory: documents by digest, and the root it resolves to.
class MemoryReader final : public sdk::CacheReader {
 public:
  sdk::Descriptor add(const char* media_type, const std::string& bytes) {
    documents_[sha256_of(bytes).str()] = bytes;
    return {media_type, sha256_of(bytes), static_cast<std::int64_t>(bytes.size()), {}, {}};
  }
  sdk::Descriptor root;

  sdk::Result<sdk::Descriptor> resolve() override { return root; }
  sdk::Result<std::string> fetch_manifest(const sdk::Descriptor& manifest) override { return find(manifest); }
  sdk::Status fetch_blob(const sdk::Descriptor& blob, sdk::ContentStore& store, const sdk::TransferHooks&) override {
    auto bytes = find(blob);
    if (!bytes) return bytes.status();
    auto written = store.write(*bytes, blob.digest);
    return written ? sdk::Status::ok() : written.status();
  }
  sdk::Status check_blobs(const std::vector<sdk::Descriptor>&) override { return sdk::Status::ok(); }

 private:
  sdk::Result<std::string> find(const sdk::Descriptor& descriptor) {
    auto found = documents_.find(descriptor.digest.str());
    if (found == documents_.end()) return sdk::Status::not_found("no blob " + descriptor.digest.str());
    return found->second;
  }
  std::map<std::string, std::string> documents_;
};

// One platform's image: a layer whose diff id is sha256(`seed`), and (with `key`) inline records
// whose one record `key` is realized by that layer.
sdk::Descriptor image(MemoryReader& reader, const std::string& seed, const std::optional<std::string>& key,
                      sdk::Platform platform, sdk::Descriptor& layer_out) {
  const std::string diff_id = sha256_of(seed).str();
  json config = {{"architecture", platform.architecture}, {"os", platform.os},
                 {"rootfs", {{"type", "layers"}, {"diff_ids", {diff_id}}}}};
  if (key) {
    cache::CacheConfig records;
    records.layers = {{false, diff_id, std::nullopt}};
    records.records = {{*key, {}, std::vector<std::size_t>{0}}};
    config[cache::kInlineConfigKey] = json::parse(cache::to_json(records));
  }
  dbuild::oci::Manifest manifest;
  manifest.config = reader.add(sdk::media_type::kOciConfig, config.dump());
  layer_out = reader.add(sdk::media_type::kOciLayerGzip, "layer bytes of " + seed);
  manifest.layers = {layer_out};
  auto descriptor = reader.add(sdk::media_type::kOciManifest, dbuild::oci::to_json(manifest));
  descriptor.platform = platform;
  return descriptor;
}

sdk::Platform platform(const char* architecture) { return sdk::Platform{"linux", architecture, "", "", {}}; }

}  // namespace

TEST_CASE("an image index as a cache gives the inline records of each of its images, the requested platform's first",
          "[cache][inline]") {
  MemoryReader reader;
  sdk::Descriptor amd64_layer, arm64_layer, attestation_layer;
  dbuild::oci::Index index;
  index.manifests = {image(reader, "arm64", sha256_of("key arm64").str(), platform("arm64"), arm64_layer),
                     image(reader, "attestation", std::nullopt, platform("unknown"), attestation_layer),
                     image(reader, "amd64", sha256_of("key amd64").str(), platform("amd64"), amd64_layer)};
  reader.root = reader.add(sdk::media_type::kOciIndex, dbuild::oci::to_json(index));
  MemoryStore store;

  auto imported = cache::read_cache_root(reader, platform("amd64"), store);
  INFO(imported.status().to_string());
  REQUIRE(imported);
  const auto& records = imported->config.records;
  REQUIRE(records.size() == 2);
  CHECK(records[0].key == sha256_of("key amd64").str());
  CHECK(records[1].key == sha256_of("key arm64").str());
  // Each record's result points at its own image's layer, found by diff id.
  for (const auto& [record, seed, blob] :
       {std::tuple{records[0], "amd64", amd64_layer}, std::tuple{records[1], "arm64", arm64_layer}}) {
    REQUIRE(record.result);
    REQUIRE(record.result->size() == 1);
    const auto& layer = imported->config.layers.at(record.result->front());
    CHECK(layer.diff_id == sha256_of(seed).str());
    REQUIRE(layer.blob);
    CHECK(layer.blob->digest == blob.digest);
  }
  CHECK(imported->blobs.size() == 2);

  // An image of another platform that cannot be read is skipped; the build platform's is not.
  dbuild::oci::Index with_lost = index;
  sdk::Descriptor lost{sdk::media_type::kOciManifest, sha256_of("never stored"), 12, {}, platform("riscv64")};
  with_lost.manifests.push_back(lost);
  MemoryReader& lost_reader = reader;
  lost_reader.root = lost_reader.add(sdk::media_type::kOciIndex, dbuild::oci::to_json(with_lost));
  auto skipping = cache::read_cache_root(lost_reader, platform("amd64"), store);
  INFO(skipping.status().to_string());
  REQUIRE(skipping);
  CHECK(skipping->config.records.size() == 2);
  auto required = cache::read_cache_root(lost_reader, platform("riscv64"), store);
  CHECK_FALSE(required);
  reader.root = reader.add(sdk::media_type::kOciIndex, dbuild::oci::to_json(index));

  // The same index asked for arm64 answers arm64's key first.
  auto for_arm = cache::read_cache_root(reader, platform("arm64"), store);
  REQUIRE(for_arm);
  CHECK(for_arm->config.records.front().key == sha256_of("key arm64").str());
}

TEST_CASE("an image index none of whose images carries inline records is not a cache", "[cache][inline]") {
  MemoryReader reader;
  sdk::Descriptor layer;
  dbuild::oci::Index index;
  index.manifests = {image(reader, "plain", std::nullopt, platform("amd64"), layer)};
  reader.root = reader.add(sdk::media_type::kOciIndex, dbuild::oci::to_json(index));
  MemoryStore store;
  auto imported = cache::read_cache_root(reader, platform("amd64"), store);
  REQUIRE_FALSE(imported);
  CHECK(imported.status().code() == sdk::Code::NotFound);
  CHECK_THAT(imported.status().message(), Catch::Contains("no inline cache"));
}
