// image_builder.hpp: a build result (a snapshot chain plus the frontend's image config) turned
// into an image in the content store: one layer per snapshot (base layers reused as pulled,
// new ones written once and remembered), the config with rootfs and history lined up, and the
// manifest.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include <dbuild/sdk/exporter.hpp>
#include <dbuild/sdk/platform.hpp>
#include <dbuild/sdk/status.hpp>

#include "snapshot/snapshotter.hpp"

namespace dbuild::content {
class LocalContentStore;
class Lease;
}  // namespace dbuild::content

namespace dbuild::image {

class LayerBlobs;

struct BuildImageOptions {
  sdk::Platform platform;
  std::optional<std::int64_t> source_date_epoch;  // fixes mtimes and "created"
};

/// The layer of one snapshot (what it changed on top of its parent).
struct SnapshotLayer {
  sdk::Descriptor blob;  // uncompressed when made here; as pulled for an unpacked layer
  std::string diff_id;
};

/// The blob recorded for the snapshot's diff id, else a new uncompressed layer written now (and
/// remembered, unless `source_date_epoch` rewrote its times). nullopt for a snapshot that changed
/// nothing: it has no layer. Errors: unavailable, and the snapshotter's.
[[nodiscard]] sdk::Result<std::optional<SnapshotLayer>> snapshot_layer(snapshot::Snapshotter& snapshotter,
                                                                       content::LocalContentStore& content,
                                                                       const content::Lease& lease,
                                                                       LayerBlobs& layer_blobs, snapshot::SnapshotId id,
                                                                       std::optional<std::int64_t> source_date_epoch);

/// The image of a stack of layers, root first (nullopt: a step that changed nothing, which has no
/// layer and an empty_layer history entry), with the frontend's config: rootfs and history lined
/// up, config and manifest written to `content`. build_image ends here once it has the snapshots'
/// layers; an imported result that was not made local comes here with its imported layers, so
/// that both give the same image. Errors: unavailable (disk), invalid_argument (a config the
/// frontend made that is not an object).
[[nodiscard]] sdk::Result<sdk::ExportImage> assemble_image(content::LocalContentStore& content,
                                                           const content::Lease& lease,
                                                           const std::vector<std::optional<SnapshotLayer>>& layers,
                                                           std::string_view config_json,
                                                           const BuildImageOptions& options);

/// Errors: unavailable (disk), invalid_argument (a config the frontend made that is not an
/// object), and the snapshotter's errors.
[[nodiscard]] sdk::Result<sdk::ExportImage> build_image(snapshot::Snapshotter& snapshotter,
                                                        content::LocalContentStore& content, const content::Lease& lease,
                                                        LayerBlobs& layer_blobs,
                                                        std::optional<snapshot::SnapshotId> result,
                                                        std::string_view config_json, const BuildImageOptions& options);

}  // namespace dbuild::image
