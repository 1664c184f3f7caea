// cache_root.cpp: cache manifests and indexes written and read, and inline records found in an
// image (cache_root.hpp).
#include "cache/cache_root.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "image/oci_layout.hpp"
#include "oci/image_format.hpp"
#include "oci/sha256.hpp"

namespace dbuild::cache {
namespace {

using json = nlohmann::json;

sdk::Descriptor blob_descriptor(const char* media_type, const sdk::Digest& digest, std::size_t size) {
  return sdk::Descriptor{media_type, digest, static_cast<std::int64_t>(size), {}, {}};
}

// A manifest or index from the reader, refused unless it is exactly what its descriptor says.
sdk::Result<std::string> fetch_verified(sdk::CacheReader& reader, const sdk::Descriptor& descriptor) {
  auto bytes = reader.fetch_manifest(descriptor);
  if (!bytes) return bytes.status();
  const auto actual = oci::sha256_of(*bytes);
  if (actual != descriptor.digest || static_cast<std::int64_t>(bytes->size()) != descriptor.size)
    return sdk::Status::invalid_argument("manifest " + descriptor.digest.str() + " does not match its digest (" +
                                         actual.str() + ", " + std::to_string(bytes->size()) + " bytes); refused");
  return bytes;
}

sdk::Result<std::string> fetch_small_blob(sdk::CacheReader& reader, const sdk::Descriptor& blob,
                                          sdk::ContentStore& content) {
  if (auto status = reader.fetch_blob(blob, content, {}); !status) return status.with_context("blob " + blob.digest.str());
  return content.read(blob.digest);
}

// Drops the results of records that use a layer without a blob.
void drop_unresolved(CacheConfig& config) {
  for (auto& record : config.records) {
    if (!record.result) continue;
    for (auto index : *record.result)
      if (!config.layers[index].empty && !config.layers[index].blob) {
        record.result.reset();
        break;
      }
  }
}

// The records of a cache manifest or index: their blobs must be among those the root lists.
sdk::Result<ImportedConfig> stored_records(sdk::CacheReader& reader, const sdk::Descriptor& config_blob,
                                           const std::vector<sdk::Descriptor>& listed, sdk::ContentStore& content) {
  auto text = fetch_small_blob(reader, config_blob, content);
  if (!text) return text.status();
  auto config = parse_cache_config(*text);
  if (!config) return config.status();
  std::set<sdk::Digest> names;
  for (const auto& blob : listed) names.insert(blob.digest);
  ImportedConfig imported{std::move(*config), {}};
  std::set<sdk::Digest> used;
  for (const auto& layer : imported.config.layers) {
    if (!layer.blob) continue;
    if (!names.count(layer.blob->digest))
      return sdk::Status::invalid_argument("the records name blob " + layer.blob->digest.str() +
                                           ", which the cache manifest does not list; refused");
    if (used.insert(layer.blob->digest).second) imported.blobs.push_back(*layer.blob);
  }
  drop_unresolved(imported.config);
  return imported;
}

// Inline records: the image config's kInlineConfigKey, its layers found by diff id.
sdk::Result<ImportedConfig> inline_records(sdk::CacheReader& reader, const oci::Manifest& manifest,
                                           sdk::ContentStore& content) {
  auto text = fetch_small_blob(reader, manifest.config, content);
  if (!text) return text.status();
  auto image_config = json::parse(*text, nullptr, false);
  if (!image_config.is_object() || !image_config.contains(kInlineConfigKey))
    return sdk::Status::not_found("the image carries no inline cache (build it with --cache-to type=inline)");
  auto diff_ids = image::config_diff_ids(*text);
  if (!diff_ids) return diff_ids.status();
  if (diff_ids->size() != manifest.layers.size())
    return sdk::Status::invalid_argument("the image's config and manifest disagree on its layers");
  auto config = parse_cache_config(image_config[kInlineConfigKey].dump());
  if (!config) return config.status().with_context("inline cache");
  std::map<std::string, sdk::Descriptor> by_diff_id;
  for (std::size_t i = 0; i < diff_ids->size(); ++i) by_diff_id.emplace((*diff_ids)[i], manifest.layers[i]);
  ImportedConfig imported{std::move(*config), {}};
  std::set<sdk::Digest> used;
  for (auto& layer : imported.config.layers) {
    if (layer.empty) continue;
    auto found = by_diff_id.find(layer.diff_id);
    if (found == by_diff_id.end()) {
      layer.blob.reset();
      continue;
    }
    layer.blob = found->second;
    if (used.insert(found->second.digest).second) imported.blobs.push_back(found->second);
  }
  drop_unresolved(imported.config);
  return imported;
}

sdk::Result<ImportedConfig> from_manifest(sdk::CacheReader& reader, const std::string& bytes,
                                          sdk::ContentStore& content) {
  auto manifest = oci::parse_manifest(bytes);
  if (!manifest) return manifest.status();
  if (manifest->config.media_type == sdk::media_type::kCacheConfig)
    return stored_records(reader, manifest->config, manifest->layers, content);
  return inline_records(reader, *manifest, content);
}

// `from`'s layers and records after `into`'s, its results pointing at its layers' new places.
void merge(ImportedConfig& into, ImportedConfig from) {
  const std::size_t offset = into.config.layers.size();
  for (auto& layer : from.config.layers) into.config.layers.push_back(std::move(layer));
  for (auto& record : from.config.records) {
    if (record.result)
      for (auto& index : *record.result) index += offset;
    into.config.records.push_back(std::move(record));
  }
  for (auto& blob : from.blobs)
    if (std::none_of(into.blobs.begin(), into.blobs.end(), [&](const auto& had) { return had.digest == blob.digest; }))
      into.blobs.push_back(std::move(blob));
}

sdk::Result<ImportedConfig> read_root(sdk::CacheReader& reader, const sdk::Platform& platform,
                                      sdk::ContentStore& content) {
  auto root = reader.resolve();
  if (!root) return root.status();
  auto bytes = fetch_verified(reader, *root);
  if (!bytes) return bytes.status();
  std::string type = oci::declared_media_type(*bytes);
  if (type.empty()) type = root->media_type;
  if (!oci::is_index_type(type)) return from_manifest(reader, *bytes, content);
  auto index = oci::parse_index(*bytes);
  if (!index) return index.status();
  for (const auto& entry : index->manifests) {
    if (entry.media_type != sdk::media_type::kCacheConfig) continue;
    std::vector<sdk::Descriptor> listed;
    for (const auto& other : index->manifests)
      if (other.media_type != sdk::media_type::kCacheConfig) listed.push_back(other);
    return stored_records(reader, entry, listed, content);
  }
  // An image index: the inline records of every platform's image, as BuildKit reads them, those
  // of `platform` first (a key two images answer is answered by it). An image without inline
  // records (an attestation manifest, one built without) adds none; one of another platform that
  // cannot be read is skipped: only the build platform's image can fail the import.
  const auto chosen = oci::select_platform(*index, platform);
  std::vector<std::size_t> order;
  if (chosen) order.push_back(*chosen);
  for (std::size_t i = 0; i < index->manifests.size(); ++i)
    if (!chosen || *chosen != i) order.push_back(i);
  ImportedConfig merged;
  bool found = false;
  sdk::Status first_missing;  // why the first image without records has none
  for (auto i : order) {
    const auto& entry = index->manifests[i];
    if (!oci::is_manifest_type(entry.media_type)) continue;
    const bool required = chosen && *chosen == i;
    auto child = fetch_verified(reader, entry);
    if (!child && required) return child.status();
    auto records = child ? from_manifest(reader, *child, content) : sdk::Result<ImportedConfig>(child.status());
    if (!records && (!required || records.status().code() == sdk::Code::NotFound)) {
      if (first_missing.is_ok()) first_missing = records.status();
      continue;
    }
    if (!records) return records.status();
    merge(merged, std::move(*records));
    found = true;
  }
  if (!found) return first_missing.is_ok() ? sdk::Status::not_found("the image index lists no image") : first_missing;
  return merged;
}

}  // namespace

sdk::Result<sdk::CacheLayout> write_cache_root(const CacheConfig& config, const std::vector<sdk::Descriptor>& layers,
                                               const RootOptions& options, sdk::ContentStore& content) {
  if (options.image_manifest && !options.oci_mediatypes)
    return sdk::Status::invalid_argument("image-manifest=true needs oci-mediatypes=true");
  const std::string records = to_json(config);
  auto records_digest = content.write(records);
  if (!records_digest) return records_digest.status();
  sdk::CacheLayout layout;
  const auto records_blob = blob_descriptor(sdk::media_type::kCacheConfig, *records_digest, records.size());
  layout.blobs.push_back(records_blob);
  layout.blobs.insert(layout.blobs.end(), layers.begin(), layers.end());
  const char* root_type = nullptr;
  if (options.image_manifest) {
    oci::Manifest manifest;
    manifest.config = records_blob;
    manifest.layers = layers;
    layout.root_json = oci::to_json(manifest);
    root_type = sdk::media_type::kOciManifest;
  } else {
    oci::Index index;
    index.media_type = options.oci_mediatypes ? sdk::media_type::kOciIndex : sdk::media_type::kDockerManifestList;
    index.manifests = layers;
    index.manifests.push_back(records_blob);
    layout.root_json = oci::to_json(index);
    root_type = options.oci_mediatypes ? sdk::media_type::kOciIndex : sdk::media_type::kDockerManifestList;
  }
  auto root_digest = content.write(layout.root_json);
  if (!root_digest) return root_digest.status();
  layout.root = blob_descriptor(root_type, *root_digest, layout.root_json.size());
  return layout;
}

sdk::Result<ImportedConfig> read_cache_root(sdk::CacheReader& reader, const sdk::Platform& platform,
                                            sdk::ContentStore& content) {
  auto imported = read_root(reader, platform, content);
  if (!imported) return imported.status();
  if (auto status = reader.check_blobs(imported->blobs); !status) return status.with_context("checking the cache's blobs");
  return imported;
}

}  // namespace dbuild::cache
