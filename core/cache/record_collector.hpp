// record_collector.hpp: a build's cache records, collected for export: each step's key and
// input keys, and for the steps the mode covers, the layers of its result (made from its
// snapshots and compressed as asked, or, for a step an import answered without making it local,
// the imported layers, fetched here).
#pragma once

#include <stop_token>
#include <vector>

#include <dbuild/sdk/cache_backend.hpp>
#include <dbuild/sdk/content_store.hpp>
#include <dbuild/sdk/status.hpp>

#include "cache/cache_config.hpp"
#include "solver/solver.hpp"

namespace dbuild::snapshot {
class Snapshotter;
}
namespace dbuild::content {
class LocalContentStore;
class Lease;
}  // namespace dbuild::content
namespace dbuild::image {
class LayerBlobs;
}

namespace dbuild::cache {

class ImportedRecords;

/// The engine's parts a collection uses; all outlive it.
struct CollectServices {
  snapshot::Snapshotter& snapshots;
  content::LocalContentStore& content;
  const content::Lease& lease;
  sdk::ContentStore& leased;  // the same store through the build's lease: imported blobs go there
  image::LayerBlobs& layer_blobs;
  const ImportedRecords* imported = nullptr;
};

struct CollectOptions {
  sdk::CacheMode mode = sdk::CacheMode::Min;
  sdk::ImageOptions layers{};
  bool inline_layers = false;  // name layers by diff id only: they are the image's own
};

struct CollectedRecords {
  CacheConfig config;
  std::vector<sdk::Descriptor> blobs;  // the layer blobs the records use, each once, in the content store
};

/// Records for `entries` (one solve's, or several: keys seen twice are kept once). A step whose
/// result is gone (its snapshot pruned meanwhile) keeps only its key. Errors: unavailable,
/// invalid_argument (zstd with Docker media types), cancelled.
[[nodiscard]] sdk::Result<CollectedRecords> collect_records(const std::vector<solver::CacheEntry>& entries,
                                                            const CollectOptions& options,
                                                            const CollectServices& services, std::stop_token stop);

}  // namespace dbuild::cache
