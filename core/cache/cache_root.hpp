// cache_root.hpp: the documents a cache is stored as, both ways. A cache is a root naming the
// records blob (cache_config.hpp) and the layer blobs: an OCI image manifest whose config is the
// records (image-manifest=true, what registries that refuse odd indexes take), or an index
// listing the records and the layers. An image can carry records inline, in its config; those
// name the image's own layers by diff id.
#pragma once

#include <vector>

#include <dbuild/sdk/cache_backend.hpp>
#include <dbuild/sdk/content_store.hpp>
#include <dbuild/sdk/platform.hpp>
#include <dbuild/sdk/status.hpp>

#include "cache/cache_config.hpp"

namespace dbuild::cache {

struct RootOptions {
  bool image_manifest = true;
  bool oci_mediatypes = true;  // false: Docker's manifest list type for the index form
};

/// Writes `config` as the records blob and the root naming it and `layers` into `content`.
/// Errors: invalid_argument (an image manifest with Docker media types), unavailable.
[[nodiscard]] sdk::Result<sdk::CacheLayout> write_cache_root(const CacheConfig& config,
                                                             const std::vector<sdk::Descriptor>& layers,
                                                             const RootOptions& options, sdk::ContentStore& content);

/// An imported cache's records with every layer's blob known. Records whose layers could not be
/// found (inline records naming a layer the image lacks) keep their key but lose their result.
struct ImportedConfig {
  CacheConfig config;
  std::vector<sdk::Descriptor> blobs;  // the layer blobs the records use, each once
};

/// Reads the root `reader` resolves (for an image index, the inline records of each of its
/// images, `platform`'s first), every document checked against its digest, and its records;
/// then asks the reader to check the blobs.
/// Errors: invalid_argument (a document that does not match its digest, records naming a blob
/// the root does not list, an image without inline records), not_found (a missing blob), and
/// the reader's.
[[nodiscard]] sdk::Result<ImportedConfig> read_cache_root(sdk::CacheReader& reader, const sdk::Platform& platform,
                                                          sdk::ContentStore& content);

}  // namespace dbuild::cache
