// image_builder.hpp: a build result (a snapshot chain plus the frontend's image config) turned
// into an image in the content store: one layer per snapshot (base layers reused as pulled,
// new ones written once and remembered), the config with rootfs and history lined up, and the
// manifest.
#pragma once

#include <optional>
#include <string_view>

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

/// Errors: unavailable (disk), invalid_argument (a config the frontend made that is not an
/// object), and the snapshotter's errors.
[[nodiscard]] sdk::Result<sdk::ExportImage> build_image(snapshot::Snapshotter& snapshotter,
                                                        content::LocalContentStore& content, const content::Lease& lease,
                                                        LayerBlobs& layer_blobs,
                                                        std::optional<snapshot::SnapshotId> result,
                                                        std::string_view config_json, const BuildImageOptions& options);

}  // namespace dbuild::image
