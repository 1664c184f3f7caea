// client_harness.hpp: what the client's transfer tests share: a RegistryClient over the
// in-memory FakeRegistry (with a hook to script odd answers), and small images to move.
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fake_registry.hpp"
#include "memory_content_store.hpp"
#include "oci/image_format.hpp"
#include "registry/registry_client.hpp"

namespace dbuild::test {

inline oci::Reference reference(const std::string& text) {
  auto parsed = oci::parse_reference(text);
  REQUIRE(parsed);
  return *parsed;
}

inline sdk::Descriptor descriptor_of(const std::string& media_type, const std::string& data) {
  return {media_type, oci::sha256_of(data), static_cast<std::int64_t>(data.size())};
}

struct Image {
  std::string config;
  std::vector<std::string> layers;
  std::string manifest;

  Image(const std::string& architecture, std::vector<std::string> layer_data) : layers(std::move(layer_data)) {
    config = R"({"architecture":")" + architecture + R"(","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
    oci::Manifest parsed;
    parsed.config = descriptor_of(sdk::media_type::kOciConfig, config);
    for (const auto& layer : layers) parsed.layers.push_back(descriptor_of(sdk::media_type::kOciLayer, layer));
    manifest = oci::to_json(parsed);
  }
  void store_in(sdk::ContentStore& store) const {
    REQUIRE(store.write(config));
    for (const auto& layer : layers) REQUIRE(store.write(layer));
    REQUIRE(store.write(manifest));
  }
  void serve_from(FakeRegistry& registry, const std::string& repository) const {
    registry.add_blob(repository, config);
    for (const auto& layer : layers) registry.add_blob(repository, layer);
  }
};

struct Harness {
  FakeRegistry fake;
  FakeTransport* transport = nullptr;
  std::function<std::optional<sdk::Result<registry::HttpResponse>>(const registry::HttpRequest&)> intercept;
  std::unique_ptr<registry::RegistryClient> client;

  explicit Harness(std::int64_t chunk_size = 16 * 1024 * 1024) {
    auto owned = std::make_unique<FakeTransport>([this](const registry::HttpRequest& request) -> sdk::Result<registry::HttpResponse> {
      if (intercept)
        if (auto answer = intercept(request)) return std::move(*answer);
      return fake.handle(request);
    });
    transport = owned.get();
    registry::ClientOptions options;
    options.sleep = [](std::chrono::milliseconds) {};
    options.chunk_size = chunk_size;
    client = std::make_unique<registry::RegistryClient>(std::move(options), std::move(owned));
  }
};

}  // namespace dbuild::test
