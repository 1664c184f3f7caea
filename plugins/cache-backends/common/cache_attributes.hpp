// cache_attributes.hpp: the attributes the local and registry cache backends share, spelled as
// buildx spells them: mode=min|max, compression=, compression-level=, force-compression=,
// oci-mediatypes=, image-manifest=.
#pragma once

#include <initializer_list>

#include <dbuild/sdk/cache_backend.hpp>

namespace dbuild::cache_backends {

/// The attributes that shape an export's layout (cache_attributes.hpp lists them).
inline constexpr std::initializer_list<const char*> kLayoutKeys = {
    "mode", "compression", "compression-level", "force-compression", "oci-mediatypes", "image-manifest"};

/// The layout an export's attributes ask for (defaults: mode=min, gzip, OCI media types, an
/// image manifest). Errors: invalid_argument.
[[nodiscard]] sdk::Result<sdk::CacheLayoutOptions> layout_options(const sdk::Attributes& attributes);

/// invalid_argument naming the first attribute that is neither in `keys` nor in `more`.
[[nodiscard]] sdk::Status check_keys(const sdk::Attributes& attributes, const char* backend,
                                     std::initializer_list<const char*> keys,
                                     std::initializer_list<const char*> more = {});

/// invalid_argument when `key` is missing or empty.
[[nodiscard]] sdk::Status require(const sdk::Attributes& attributes, const char* key);

}  // namespace dbuild::cache_backends
