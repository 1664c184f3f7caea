// image_builder.cpp: layers, config and manifest of a result.
#include "image/image_builder.hpp"

#include <chrono>
#include <ctime>

#include <nlohmann/json.hpp>

#include "content/lease.hpp"
#include "content/local_content_store.hpp"
#include "image/layer_blobs.hpp"
#include "image/layer_unpack.hpp"
#include "oci/image_format.hpp"
#include "oci/sha256.hpp"
#include "dbuild/sdk/time.hpp"

namespace dbuild::image {
namespace {

using json = nlohmann::json;

// Lines history up with layers: the k-th history entry that is not an empty_layer describes the
// k-th snapshot of the chain. Entries for snapshots that made no layer become empty_layer;
// layers without an entry get a generic one.
json align_history(json history, const std::vector<bool>& has_layer, const std::string& created) {
  if (!history.is_array()) history = json::array();
  std::size_t snapshot = 0;
  for (auto& entry : history) {
    if (entry.value("empty_layer", false)) continue;
    if (snapshot < has_layer.size() && !has_layer[snapshot]) entry["empty_layer"] = true;
    ++snapshot;
  }
  for (; snapshot < has_layer.size(); ++snapshot) {
    json entry = {{"created", created}, {"created_by", "dbuild"}, {"comment", "dbuild"}};
    if (!has_layer[snapshot]) entry["empty_layer"] = true;
    history.push_back(entry);
  }
  return history;
}

}  // namespace

sdk::Result<std::optional<SnapshotLayer>> snapshot_layer(snapshot::Snapshotter& snapshotter,
                                                         content::LocalContentStore& content,
                                                         const content::Lease& lease, LayerBlobs& layer_blobs,
                                                         snapshot::SnapshotId id,
                                                         std::optional<std::int64_t> source_date_epoch) {
  using Layer = SnapshotLayer;
  if (auto diff_id = snapshotter.diff_id(id)) {
    if (*diff_id == kEmptyDiffId) return std::optional<Layer>();
    if (auto blob = layer_blobs.find(*diff_id, Compression::None); blob && content.exists(blob->digest)) {
      if (auto status = content.add_to_lease(lease, blob->digest); !status) return status;
      return std::optional<Layer>(Layer{*blob, *diff_id});
    }
  }
  auto writer = content.writer_with_lease(lease);
  if (!writer) return writer.status();
  auto stats = snapshotter.write_layer(
      id, [&](const void* data, std::size_t size) { return (*writer)->write(data, size); },
      {.source_date_epoch = source_date_epoch});
  if (!stats) return stats.status().with_context("writing the layer of snapshot " + std::to_string(id));
  if (stats->entries == 0) {
    (void)snapshotter.set_diff_id(id, kEmptyDiffId);  // remembered: the same snapshot is never rewritten
    return std::optional<Layer>();
  }
  auto digest = (*writer)->commit();
  if (!digest) return digest.status();
  Layer layer{{sdk::media_type::kOciLayer, *digest, (*writer)->written(), {}, {}}, digest->str()};
  if (source_date_epoch) return std::optional<Layer>(layer);  // epoch-specific: not the snapshot's own
  if (auto status = layer_blobs.record(layer.diff_id, Compression::None, layer.blob); !status) return status;
  if (auto status = snapshotter.set_diff_id(id, layer.diff_id); !status) return status;
  return std::optional<Layer>(layer);
}

sdk::Result<sdk::ExportImage> build_image(snapshot::Snapshotter& snapshotter, content::LocalContentStore& content,
                                          const content::Lease& lease, LayerBlobs& layer_blobs,
                                          std::optional<snapshot::SnapshotId> result, std::string_view config_json,
                                          const BuildImageOptions& options) {
  std::vector<snapshot::SnapshotId> chain;
  if (result) {
    auto ids = snapshotter.chain(*result);
    if (!ids) return ids.status();
    chain.assign(ids->rbegin(), ids->rend());  // root first
  }
  std::vector<std::optional<SnapshotLayer>> layers;
  for (auto id : chain) {
    auto layer = snapshot_layer(snapshotter, content, lease, layer_blobs, id, options.source_date_epoch);
    if (!layer) return layer.status();
    layers.push_back(std::move(*layer));
  }
  return assemble_image(content, lease, layers, config_json, options);
}

sdk::Result<sdk::ExportImage> assemble_image(content::LocalContentStore& content, const content::Lease& lease,
                                             const std::vector<std::optional<SnapshotLayer>>& layers,
                                             std::string_view config_json, const BuildImageOptions& options) {
  sdk::ExportImage image;
  image.platform = options.platform;
  std::vector<std::string> diff_ids;
  std::vector<bool> has_layer;
  for (const auto& layer : layers) {
    has_layer.push_back(layer.has_value());
    if (!layer) continue;
    image.layers.push_back(layer->blob);
    diff_ids.push_back(layer->diff_id);
  }

  json config = config_json.empty() ? json::object() : json::parse(config_json, nullptr, false);
  if (!config.is_object()) return sdk::Status::invalid_argument("the frontend's image config is not a JSON object");
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string created = sdk::format_rfc3339(options.source_date_epoch.value_or(now));
  if (!config.contains("architecture")) config["architecture"] = options.platform.architecture;
  if (!config.contains("os")) config["os"] = options.platform.os;
  if (!options.platform.variant.empty() && !config.contains("variant")) config["variant"] = options.platform.variant;
  if (!config.contains("config")) config["config"] = json::object();
  if (options.source_date_epoch || !config.contains("created")) config["created"] = created;
  config["rootfs"] = {{"type", "layers"}, {"diff_ids", diff_ids}};
  config["history"] = align_history(config.value("history", json::array()), has_layer, created);

  image.config_json = config.dump();
  auto config_digest = content.write_with_lease(lease, image.config_json);
  if (!config_digest) return config_digest.status();
  image.config = {sdk::media_type::kOciConfig, *config_digest, static_cast<std::int64_t>(image.config_json.size()), {}, {}};

  oci::Manifest manifest;
  manifest.config = image.config;
  manifest.layers = image.layers;
  image.manifest_json = oci::to_json(manifest);
  auto manifest_digest = content.write_with_lease(lease, image.manifest_json);
  if (!manifest_digest) return manifest_digest.status();
  image.manifest = {sdk::media_type::kOciManifest, *manifest_digest, static_cast<std::int64_t>(image.manifest_json.size()),
                    {}, options.platform};
  return image;
}

}  // namespace dbuild::image
