// inline_cache.hpp: the inline cache backend: `--cache-to type=inline` puts the records of the
// result's steps into the config of the image the exporters write (and push); another build
// imports them with `--cache-from type=registry,ref=IMAGE`. Only mode=min: the records can only
// name the image's own layers.
#pragma once

#include <dbuild/sdk/cache_backend.hpp>

namespace dbuild::cache_backends {

class InlineCache final : public sdk::CacheBackend {
 public:
  sdk::Status check(const sdk::Attributes& attributes, sdk::CacheDirection direction) override;
  sdk::Result<std::unique_ptr<sdk::CacheReader>> open(const sdk::Attributes& attributes) override;
  sdk::Status export_cache(const sdk::Attributes& attributes, sdk::CacheExportSource& source) override;
};

}  // namespace dbuild::cache_backends
