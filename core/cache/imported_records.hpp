// imported_records.hpp: the records of every --cache-from source of a build, as the solver's
// ImportedCache. A step is satisfied when some source has a result for its key (earlier sources
// first); its layers are fetched from that source and unpacked only when the solver realizes it.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <dbuild/sdk/cache_backend.hpp>
#include <dbuild/sdk/content_store.hpp>

#include "cache/cache_config.hpp"
#include "image/image_builder.hpp"
#include "solver/imported_cache.hpp"

namespace dbuild::snapshot {
class Snapshotter;
}
namespace dbuild::image {
class LayerBlobs;
}  // namespace dbuild::image

namespace dbuild::cache {

/// A result's layers as an import has them, and where to fetch their blobs.
struct ImportedStack {
  std::vector<CacheLayer> layers;  // root first; every non-empty one has its blob
  sdk::CacheReader* reader = nullptr;
  std::string source;  // the source as --cache-from named it ("type=registry,ref=..."), for messages
};

class ImportedRecords final : public solver::ImportedCache {
 public:
  /// `content` is where fetched blobs go (the build's leased store); all outlive this object.
  ImportedRecords(snapshot::Snapshotter& snapshots, sdk::ContentStore& content, image::LayerBlobs& layer_blobs)
      : snapshots_(snapshots), content_(content), layer_blobs_(layer_blobs) {}

  /// Adds a source; for a key both have, an earlier source's record is used.
  void add(std::string name, CacheConfig config, std::unique_ptr<sdk::CacheReader> reader);
  [[nodiscard]] bool empty() const { return sources_.empty(); }

  bool has_result(const std::string& key) override;
  bool knows(const std::string& key) override;
  sdk::Result<solver::VertexResult> realize(const std::string& key, const solver::VertexContext& context) override;

  /// The layers of `key`'s result, for exporting a step this build did not make local.
  [[nodiscard]] std::optional<ImportedStack> stack(const std::string& key) const;

 private:
  struct Source {
    std::string name;
    CacheConfig config;
    std::unique_ptr<sdk::CacheReader> reader;
  };
  struct Found {
    const Source* source;
    const CacheRecord* record;
  };
  [[nodiscard]] std::optional<Found> find(const std::string& key, bool with_result) const;

  snapshot::Snapshotter& snapshots_;
  sdk::ContentStore& content_;
  image::LayerBlobs& layer_blobs_;
  std::vector<std::unique_ptr<Source>> sources_;
  std::mutex realize_mutex_;  // one realization at a time: they share snapshots and blobs
};

/// The layers of an image made from `stack` without making it local, as build_image lists them
/// once the stack is unpacked: a layer this machine holds uncompressed (recorded in
/// `layer_blobs`, present in `content`) as that blob, else the imported blob, as unpacking
/// records it (the OCI media type of its compression); nullopt for an empty layer. Errors:
/// invalid_argument (a blob whose media type names no layer compression).
[[nodiscard]] sdk::Result<std::vector<std::optional<image::SnapshotLayer>>> image_layers(const ImportedStack& stack,
                                                                                     image::LayerBlobs& layer_blobs,
                                                                                     sdk::ContentStore& content);

/// The snapshot keys of a stack of cache layers: an image's chain ids while no layer is empty
/// (so that snapshots are shared with images unpacked from the same layers), and for an empty
/// layer, sha256 of the key below it and " empty".
[[nodiscard]] std::vector<std::string> stack_keys(const std::vector<CacheLayer>& layers);

}  // namespace dbuild::cache
