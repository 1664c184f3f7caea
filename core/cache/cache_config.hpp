// cache_config.hpp: the records blob of a cache (share/doc/cache.md): for each step, its cache
// key, the keys of its inputs, and the layers that make its result, root first. An importer
// tells which steps of a build are satisfied from this alone, and fetches layers only for the
// results it needs.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/descriptor.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::cache {

/// The key under which an image config carries inline cache records.
inline constexpr const char* kInlineConfigKey = "dbuild.cache.v1";

/// One layer of the table the records point into.
struct CacheLayer {
  bool empty = false;                   // a step that changed nothing: no diff id, no blob
  std::string diff_id;                  // the uncompressed layer's digest
  std::optional<sdk::Descriptor> blob;  // its blob; none in inline records (the image's layer with this diff id)

  friend bool operator==(const CacheLayer&, const CacheLayer&) = default;
};

struct CacheRecord {
  std::string key;
  std::vector<std::string> inputs;                  // the keys of its inputs, in input order
  std::optional<std::vector<std::size_t>> result;  // indexes into layers, root first; none: key only

  friend bool operator==(const CacheRecord&, const CacheRecord&) = default;
};

struct CacheConfig {
  std::vector<CacheLayer> layers;
  std::vector<CacheRecord> records;

  friend bool operator==(const CacheConfig&, const CacheConfig&) = default;
};

/// Reads a records document, strictly: a wrong version, a malformed digest or descriptor, or a
/// result pointing past the layer table is refused. Errors: invalid_argument, naming the field.
[[nodiscard]] sdk::Result<CacheConfig> parse_cache_config(std::string_view json);

/// The document, compact, keys sorted: equal configs give equal bytes (and digests).
[[nodiscard]] std::string to_json(const CacheConfig& config);

}  // namespace dbuild::cache
