// imported_records.cpp: finding imported records and making their results local
// (imported_records.hpp).
#include "cache/imported_records.hpp"

#include "image/layer_blobs.hpp"
#include "image/layer_unpack.hpp"
#include "oci/sha256.hpp"
#include "snapshot/snapshotter.hpp"

namespace dbuild::cache {

std::vector<std::string> stack_keys(const std::vector<CacheLayer>& layers) {
  std::vector<std::string> keys;
  for (const auto& layer : layers) {
    const std::string below = keys.empty() ? std::string() : keys.back();
    if (layer.empty) keys.push_back(oci::sha256_of(below + " empty").str());
    else keys.push_back(below.empty() ? layer.diff_id : oci::sha256_of(below + " " + layer.diff_id).str());
  }
  return keys;
}

sdk::Result<std::vector<std::optional<image::SnapshotLayer>>> image_layers(const ImportedStack& stack,
                                                                       image::LayerBlobs& layer_blobs,
                                                                       sdk::ContentStore& content) {
  std::vector<std::optional<image::SnapshotLayer>> layers;
  for (const auto& layer : stack.layers) {
    if (layer.empty) {
      layers.emplace_back();
      continue;
    }
    auto local = layer_blobs.find(layer.diff_id, image::Compression::None);
    if (local && content.exists(local->digest)) {
      layers.push_back(image::SnapshotLayer{*local, layer.diff_id});
      continue;
    }
    auto compression = image::compression_of(layer.blob->media_type);
    if (!compression)
      return sdk::Status::invalid_argument("imported layer " + layer.blob->digest.str() + " has media type " +
                                           layer.blob->media_type + ", which names no layer compression");
    sdk::Descriptor blob{image::layer_media_type(*compression), layer.blob->digest, layer.blob->size, {}, {}};
    layers.push_back(image::SnapshotLayer{blob, layer.diff_id});
  }
  return layers;
}

void ImportedRecords::add(std::string name, CacheConfig config, std::unique_ptr<sdk::CacheReader> reader) {
  sources_.push_back(std::make_unique<Source>(Source{std::move(name), std::move(config), std::move(reader)}));
}

std::optional<ImportedRecords::Found> ImportedRecords::find(const std::string& key, bool with_result) const {
  for (const auto& source : sources_)
    for (const auto& record : source->config.records)
      if (record.key == key && (record.result || !with_result)) return Found{source.get(), &record};
  return std::nullopt;
}

bool ImportedRecords::has_result(const std::string& key) { return find(key, true).has_value(); }

bool ImportedRecords::knows(const std::string& key) { return find(key, false).has_value(); }

std::optional<ImportedStack> ImportedRecords::stack(const std::string& key) const {
  auto found = find(key, true);
  if (!found) return std::nullopt;
  ImportedStack stack;
  stack.reader = found->source->reader.get();
  stack.source = found->source->name;
  for (auto index : *found->record->result) stack.layers.push_back(found->source->config.layers[index]);
  return stack;
}

sdk::Result<solver::VertexResult> ImportedRecords::realize(const std::string& key, const solver::VertexContext& context) {
  auto found = stack(key);
  if (!found) return sdk::Status::not_found("no imported result for " + key);
  const auto keys = stack_keys(found->layers);
  std::vector<image::StackLayer> layers;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto& layer = found->layers[i];
    layers.push_back({keys[i], layer.empty ? std::string(image::kEmptyDiffId) : layer.diff_id, layer.blob});
  }
  sdk::TransferHooks transfer;
  transfer.stop = context.stop;
  transfer.progress = [&context](const sdk::Digest& blob, std::int64_t done, std::int64_t total) {
    context.status(blob.str().substr(0, 19) + " importing", done, total);
  };
  image::UnpackHooks hooks;
  hooks.stop = context.stop;
  hooks.progress = [&context](const std::string& id, std::int64_t done, std::int64_t total) {
    context.status(id, done, total);
  };
  hooks.fetch = [&](std::size_t index) {
    const auto& blob = *layers[index].blob;
    if (content_.exists(blob.digest)) return sdk::Status::ok();
    return found->reader->fetch_blob(blob, content_, transfer).with_context("importing layer " + blob.digest.str());
  };
  std::lock_guard lock(realize_mutex_);
  auto top = image::unpack_stack(snapshots_, content_, layer_blobs_, layers, hooks);
  if (!top) return top.status();
  return solver::VertexResult{*top, {}, {}, {}};
}

}  // namespace dbuild::cache
