// image_converter.hpp: an image in the content store made into the form an exporter asks for:
// layers compressed (gzip or zstd, each layer once, remembered per diff id), OCI or Docker
// media types, and the manifest that lists them.
#pragma once

#include <dbuild/sdk/exporter.hpp>
#include <dbuild/sdk/status.hpp>

#include "image/layer_blobs.hpp"

namespace dbuild::content {
class LocalContentStore;
class Lease;
}  // namespace dbuild::content

namespace dbuild::image {

/// One layer in `wanted` compression: kept when it is so already (or compressed otherwise and
/// not forced), a copy made earlier when there is one, else compressed now: into `sink` when one
/// is given and takes it (then the content store never holds it and nothing is remembered), else
/// into the content store, remembered in `layer_blobs`.
/// Errors: unimplemented (recompressing a compressed layer), unavailable.
[[nodiscard]] sdk::Result<sdk::Descriptor> convert_layer(const sdk::Descriptor& layer, const std::string& diff_id,
                                                         Compression wanted, const sdk::ImageOptions& options,
                                                         content::LocalContentStore& content,
                                                         const content::Lease& lease, LayerBlobs& layer_blobs,
                                                         sdk::LayerSink* sink = nullptr);

/// Errors: invalid_argument (zstd with Docker media types, an unknown compression),
/// unimplemented (forcing a compressed layer into another compression), unavailable.
[[nodiscard]] sdk::Result<sdk::ExportImage> convert_image(const sdk::ExportImage& image, const sdk::ImageOptions& options,
                                                          content::LocalContentStore& content,
                                                          const content::Lease& lease, LayerBlobs& layer_blobs,
                                                          sdk::LayerSink* sink = nullptr);

}  // namespace dbuild::image
