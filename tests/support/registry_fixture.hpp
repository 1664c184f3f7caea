// registry_fixture.hpp: what the registry integration tests share: a real LocalContentStore in a
// temporary state root, small images written into it with the content store API, a client
// that counts its requests, and skopeo checks of what a registry holds.
#pragma once

#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "content/local_content_store.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"
#include "oci/image_format.hpp"
#include "oci/sha256.hpp"
#include "registry/registry_client.hpp"
#include "support/temp_dir.hpp"
#include "support/test_registry.hpp"

namespace dbuild::test {

inline void require_ok(const sdk::Status& status) {
  INFO(status.to_string());
  REQUIRE(status);
}

/// A migrated database and a LocalContentStore over a temporary state root.
struct LocalStore {
  TempDir dir;
  content::SystemClock clock;
  std::unique_ptr<db::Database> database;
  std::unique_ptr<content::LocalContentStore> store;

  LocalStore() {
    auto opened = db::Database::open(dir.path() / "dbuild.db", db::Mode::ReadWrite);
    INFO(opened.status().to_string());
    REQUIRE(opened);
    database = std::move(*opened);
    require_ok(db::migrate(*database));
    auto made = content::LocalContentStore::open(dir.path(), *database, clock);
    INFO(made.status().to_string());
    REQUIRE(made);
    store = std::move(*made);
  }
};

/// A small image: a config for `architecture` and layers of bytes (not tars: registries and
/// skopeo move blobs without reading them).
struct TestImage {
  std::string config;
  std::vector<std::string> layers;
  std::string manifest;
  sdk::Descriptor descriptor;  // of the manifest

  TestImage(const std::string& architecture, std::vector<std::string> layer_data, const std::string& variant = "")
      : layers(std::move(layer_data)) {
    nlohmann::json doc = {{"architecture", architecture},
                          {"os", "linux"},
                          {"config", nlohmann::json::object()},
                          {"rootfs", {{"type", "layers"}, {"diff_ids", nlohmann::json::array()}}}};
    if (!variant.empty()) doc["variant"] = variant;
    oci::Manifest parsed;
    for (const auto& layer : layers) {
      doc["rootfs"]["diff_ids"].push_back(oci::sha256_of(layer).str());
      parsed.layers.push_back(blob(sdk::media_type::kOciLayer, layer));
    }
    config = doc.dump();
    parsed.config = blob(sdk::media_type::kOciConfig, config);
    manifest = oci::to_json(parsed);
    descriptor = blob(sdk::media_type::kOciManifest, manifest);
    descriptor.platform = sdk::Platform{"linux", architecture, variant};
  }

  static sdk::Descriptor blob(const std::string& media_type, const std::string& data) {
    return {media_type, oci::sha256_of(data), static_cast<std::int64_t>(data.size())};
  }

  /// Writes config, layers (streamed through a BlobWriter) and manifest into `store`.
  void write_to(sdk::ContentStore& store) const {
    REQUIRE(store.write(config));
    for (const auto& layer : layers) {
      auto writer = store.writer();
      REQUIRE(writer);
      require_ok((*writer)->write(layer.data(), layer.size()));
      auto committed = (*writer)->commit(oci::sha256_of(layer), static_cast<std::int64_t>(layer.size()));
      REQUIRE(committed);
    }
    REQUIRE(store.write(manifest));
  }
};

/// Bytes that do not compress and differ per seed.
inline std::string random_bytes(std::size_t size, unsigned seed) {
  std::string data(size, '\0');
  unsigned state = seed * 2654435761u + 1;
  for (auto& c : data) {
    state = state * 1103515245u + 12345u;
    c = static_cast<char>(state >> 16);
  }
  return data;
}

inline oci::Reference reference(const std::string& text) {
  auto parsed = oci::parse_reference(text);
  INFO(text);
  REQUIRE(parsed);
  return *parsed;
}

/// A client with fast retries (tests must not wait seconds) that counts its requests: those the
/// registry answered, and all attempts (a TLS probe of a plain-HTTP loopback registry included).
struct CountingClient {
  std::atomic<int> requests{0};
  std::atomic<int> attempts{0};
  std::vector<registry::RequestRecord> records;
  std::mutex mutex;
  std::unique_ptr<registry::RegistryClient> client;

  explicit CountingClient(registry::ClientOptions options = {}) {
    options.retry.initial_delay = std::chrono::milliseconds(10);
    options.retry.max_delay = std::chrono::milliseconds(50);
    options.on_request = [this](const registry::RequestRecord& record) {
      ++attempts;
      if (record.status != 0) ++requests;
      std::lock_guard lock(mutex);
      records.push_back(record);
    };
    client = std::make_unique<registry::RegistryClient>(std::move(options));
  }
  registry::RegistryClient* operator->() { return client.get(); }
  int count_matching(const std::string& method, const std::string& fragment) {
    std::lock_guard lock(mutex);
    int count = 0;
    for (const auto& record : records)
      if (record.method == method && record.url.find(fragment) != std::string::npos) ++count;
    return count;
  }
};

/// The digest skopeo reports for `image` ("docker://HOST/repo:tag"), and its raw manifest.
inline std::string skopeo_digest(const std::string& image, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"inspect", "--tls-verify=false"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(image);
  auto result = run_skopeo(args);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return nlohmann::json::parse(result.out).at("Digest").get<std::string>();
}

}  // namespace dbuild::test
