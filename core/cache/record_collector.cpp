// record_collector.cpp: records and layer tables for export (record_collector.hpp).
#include "cache/record_collector.hpp"

#include <map>
#include <set>

#include "cache/imported_records.hpp"
#include "content/local_content_store.hpp"
#include "image/compression.hpp"
#include "image/image_builder.hpp"
#include "image/image_converter.hpp"
#include "image/layer_blobs.hpp"
#include "snapshot/snapshotter.hpp"

namespace dbuild::cache {
namespace {

class Collector {
 public:
  Collector(const CollectOptions& options, const CollectServices& services, image::Compression wanted,
            std::stop_token stop)
      : options_(options), services_(services), wanted_(wanted), stop_(std::move(stop)) {}

  sdk::Status add(const solver::CacheEntry& entry);
  CollectedRecords finish();

 private:
  sdk::Result<std::optional<std::vector<std::size_t>>> result_of(const solver::CacheEntry& entry);
  sdk::Result<std::vector<std::size_t>> snapshot_stack(snapshot::SnapshotId top);
  sdk::Result<std::vector<std::size_t>> imported_stack(const ImportedStack& stack);
  sdk::Result<CacheLayer> export_form(const image::SnapshotLayer& layer);
  std::size_t intern(CacheLayer layer);

  const CollectOptions& options_;
  const CollectServices& services_;
  image::Compression wanted_;
  std::stop_token stop_;
  CacheConfig config_;
  std::set<std::string> keys_;
  std::map<std::string, std::size_t> table_;                 // a layer's identity -> its index
  std::map<snapshot::SnapshotId, std::size_t> by_snapshot_;  // each snapshot's layer is made once
};

std::size_t Collector::intern(CacheLayer layer) {
  std::string identity = layer.empty ? "empty" : layer.blob ? layer.blob->digest.str() : "diff " + layer.diff_id;
  auto [at, added] = table_.emplace(std::move(identity), config_.layers.size());
  if (added) config_.layers.push_back(std::move(layer));
  return at->second;
}

sdk::Result<CacheLayer> Collector::export_form(const image::SnapshotLayer& layer) {
  if (options_.inline_layers) return CacheLayer{false, layer.diff_id, std::nullopt};
  auto blob = image::convert_layer(layer.blob, layer.diff_id, wanted_, options_.layers, services_.content,
                                   services_.lease, services_.layer_blobs);
  if (!blob) return blob.status();
  if (!options_.layers.oci_mediatypes)
    blob->media_type = image::docker_layer_media_type(image::compression_of(blob->media_type).value_or(wanted_));
  return CacheLayer{false, layer.diff_id, *blob};
}

sdk::Result<std::vector<std::size_t>> Collector::snapshot_stack(snapshot::SnapshotId top) {
  auto chain = services_.snapshots.chain(top);
  if (!chain) return chain.status();
  std::vector<std::size_t> stack;
  for (auto id = chain->rbegin(); id != chain->rend(); ++id) {
    if (stop_.stop_requested()) return sdk::Status::cancelled("cache export cancelled");
    if (auto known = by_snapshot_.find(*id); known != by_snapshot_.end()) {
      stack.push_back(known->second);
      continue;
    }
    auto layer = image::snapshot_layer(services_.snapshots, services_.content, services_.lease, services_.layer_blobs,
                                       *id, std::nullopt);
    if (!layer) return layer.status();
    CacheLayer entry{true, {}, std::nullopt};
    if (*layer) {
      auto exported = export_form(**layer);
      if (!exported) return exported.status();
      entry = std::move(*exported);
    }
    const auto index = intern(std::move(entry));
    by_snapshot_.emplace(*id, index);
    stack.push_back(index);
  }
  return stack;
}

sdk::Result<std::vector<std::size_t>> Collector::imported_stack(const ImportedStack& imported) {
  std::vector<std::size_t> stack;
  for (const auto& layer : imported.layers) {
    if (layer.empty) {
      stack.push_back(intern(layer));
      continue;
    }
    if (options_.inline_layers) {
      stack.push_back(intern(CacheLayer{false, layer.diff_id, std::nullopt}));
      continue;
    }
    if (!services_.leased.exists(layer.blob->digest))
      if (auto status = imported.reader->fetch_blob(*layer.blob, services_.leased, {{}, stop_}); !status)
        return status.with_context("fetching imported layer " + layer.blob->digest.str());
    stack.push_back(intern(layer));
  }
  return stack;
}

sdk::Result<std::optional<std::vector<std::size_t>>> Collector::result_of(const solver::CacheEntry& entry) {
  using Stack = std::optional<std::vector<std::size_t>>;
  if (options_.mode == sdk::CacheMode::Min && !entry.in_result_chain) return Stack();
  if (entry.result) {
    if (!entry.result->snapshot) return Stack(std::vector<std::size_t>{});  // the empty file system
    if (!services_.snapshots.exists(*entry.result->snapshot)) return Stack();
    auto stack = snapshot_stack(*entry.result->snapshot);
    if (!stack) return stack.status();
    return Stack(std::move(*stack));
  }
  if (!services_.imported) return Stack();
  auto imported = services_.imported->stack(entry.key);
  if (!imported) return Stack();
  auto stack = imported_stack(*imported);
  if (!stack) return stack.status();
  return Stack(std::move(*stack));
}

sdk::Status Collector::add(const solver::CacheEntry& entry) {
  if (!keys_.insert(entry.key).second) return sdk::Status::ok();
  auto result = result_of(entry);
  if (!result) return result.status();
  config_.records.push_back({entry.key, entry.input_keys, std::move(*result)});
  return sdk::Status::ok();
}

CollectedRecords Collector::finish() {
  CollectedRecords out;
  std::set<sdk::Digest> seen;
  for (const auto& layer : config_.layers)
    if (layer.blob && seen.insert(layer.blob->digest).second) out.blobs.push_back(*layer.blob);
  out.config = std::move(config_);
  return out;
}

}  // namespace

sdk::Result<CollectedRecords> collect_records(const std::vector<solver::CacheEntry>& entries,
                                              const CollectOptions& options, const CollectServices& services,
                                              std::stop_token stop) {
  auto wanted = image::parse_compression(options.layers.compression);
  if (!wanted) return wanted.status();
  if (!options.layers.oci_mediatypes && *wanted == image::Compression::Zstd)
    return sdk::Status::invalid_argument("zstd layers need OCI media types (oci-mediatypes=true)");
  Collector collector(options, services, *wanted, std::move(stop));
  for (const auto& entry : entries)
    if (auto status = collector.add(entry); !status) return status;
  return collector.finish();
}

}  // namespace dbuild::cache
