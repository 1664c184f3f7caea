// image_converter.cpp: per-layer decisions (keep, reuse a compressed copy, compress), then a new
// manifest over the same config.
#include "image/image_converter.hpp"

#include "content/lease.hpp"
#include "content/local_content_store.hpp"
#include "image/compression.hpp"
#include "image/layer_blobs.hpp"
#include "image/oci_layout.hpp"
#include "oci/image_format.hpp"

namespace dbuild::image {
sdk::Result<sdk::Descriptor> convert_layer(const sdk::Descriptor& layer, const std::string& diff_id, Compression wanted,
                                           const sdk::ImageOptions& options, content::LocalContentStore& content,
                                           const content::Lease& lease, LayerBlobs& layer_blobs,
                                           sdk::LayerSink* sink) {
  auto current = compression_of(layer.media_type).value_or(Compression::None);
  if (current == wanted || (!options.force_compression && current != Compression::None)) return layer;
  if (auto existing = layer_blobs.find_exact(diff_id, wanted); existing && content.exists(existing->digest)) {
    if (auto status = content.add_to_lease(lease, existing->digest); !status) return status;
    return *existing;
  }
  if (current != Compression::None)
    return sdk::Status::unimplemented("recompressing layer " + layer.digest.str() + " from " +
                                      compression_name(current) + " to " + compression_name(wanted) +
                                      " is not supported yet");
  auto source = content.path(layer.digest);
  if (!source) return source.status();
  const CompressionOptions compression{wanted, options.compression_level, 0};
  if (sink) {
    auto writer = sink->layer();
    if (writer) {
      auto compressed = compress_layer(*source, **writer, compression);
      if (!compressed) return compressed.status().with_context("compressing layer " + layer.digest.str());
      return *compressed;
    }
    if (writer.status().code() != sdk::Code::Unimplemented) return writer.status();
  }
  auto writer = content.writer_with_lease(lease);
  if (!writer) return writer.status();
  auto compressed = compress_layer(*source, **writer, compression);
  if (!compressed) return compressed.status().with_context("compressing layer " + layer.digest.str());
  if (auto status = layer_blobs.record(diff_id, wanted, *compressed); !status) return status;
  return *compressed;
}

sdk::Result<sdk::ExportImage> convert_image(const sdk::ExportImage& image, const sdk::ImageOptions& options,
                                            content::LocalContentStore& content, const content::Lease& lease,
                                            LayerBlobs& layer_blobs, sdk::LayerSink* sink) {
  auto wanted = parse_compression(options.compression);
  if (!wanted) return wanted.status();
  if (!options.oci_mediatypes && *wanted == Compression::Zstd)
    return sdk::Status::invalid_argument("zstd layers need OCI media types (oci-mediatypes=true)");
  auto diff_ids = config_diff_ids(image.config_json);
  if (!diff_ids) return diff_ids.status();
  if (diff_ids->size() != image.layers.size())
    return sdk::Status::internal("the image's config and manifest disagree on the number of layers");

  sdk::ExportImage out = image;
  for (std::size_t i = 0; i < image.layers.size(); ++i) {
    auto layer = convert_layer(image.layers[i], (*diff_ids)[i], *wanted, options, content, lease, layer_blobs, sink);
    if (!layer) return layer.status();
    out.layers[i] = *layer;
    if (!options.oci_mediatypes)
      out.layers[i].media_type = docker_layer_media_type(compression_of(layer->media_type).value_or(Compression::None));
  }
  out.config.media_type = options.oci_mediatypes ? sdk::media_type::kOciConfig : sdk::media_type::kDockerConfig;
  oci::Manifest manifest;
  manifest.media_type = options.oci_mediatypes ? sdk::media_type::kOciManifest : sdk::media_type::kDockerManifest;
  manifest.config = out.config;
  manifest.layers = out.layers;
  out.manifest_json = oci::to_json(manifest);
  auto digest = content.write_with_lease(lease, out.manifest_json);
  if (!digest) return digest.status();
  out.manifest = {manifest.media_type, *digest, static_cast<std::int64_t>(out.manifest_json.size()), {}, image.platform};
  return out;
}

}  // namespace dbuild::image
