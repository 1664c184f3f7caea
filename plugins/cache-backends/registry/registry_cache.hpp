// registry_cache.hpp: the registry cache backend: `--cache-to type=registry,ref=REG/REPO:TAG`,
// `--cache-from type=registry,ref=...` (or a bare REF). The cache is pushed as an image manifest
// whose config is the records (image-manifest=true, the default) or as an index listing the
// records and layers, through the host's registry client (logins, TLS rules, retries). Importing
// an image built with --cache-to type=inline reads the records from its config.
#pragma once

#include <dbuild/sdk/cache_backend.hpp>
#include <dbuild/sdk/registry.hpp>

namespace dbuild::cache_backends {

class RegistryCache final : public sdk::CacheBackend {
 public:
  explicit RegistryCache(sdk::Registry& registry) : registry_(registry) {}

  sdk::Status check(const sdk::Attributes& attributes, sdk::CacheDirection direction) override;
  sdk::Result<std::unique_ptr<sdk::CacheReader>> open(const sdk::Attributes& attributes) override;
  sdk::Status export_cache(const sdk::Attributes& attributes, sdk::CacheExportSource& source) override;

 private:
  sdk::Registry& registry_;
};

}  // namespace dbuild::cache_backends
