// local_cache.hpp: the local cache backend: `--cache-to type=local,dest=DIR`, `--cache-from
// type=local,src=DIR`. The cache is an OCI image layout: index.json names the cache's root under
// its tag= (default "latest"); exports replace it atomically (layout_dir.hpp) and drop blobs no
// tag reaches any more.
#pragma once

#include <dbuild/sdk/cache_backend.hpp>

namespace dbuild::cache_backends {

class LocalCache final : public sdk::CacheBackend {
 public:
  sdk::Status check(const sdk::Attributes& attributes, sdk::CacheDirection direction) override;
  sdk::Result<std::unique_ptr<sdk::CacheReader>> open(const sdk::Attributes& attributes) override;
  sdk::Status export_cache(const sdk::Attributes& attributes, sdk::CacheExportSource& source) override;
};

}  // namespace dbuild::cache_backends
