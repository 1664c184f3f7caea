// image_push.cpp: pushing a whole image from the content store, or copying one between
// repositories: everything the root names (manifests, configs, layers, and blobs an index lists
// directly, as a build cache index does) is gathered (and checked present) first, then blobs go
// up in parallel, then child manifests by digest, and the root last, so that no tag ever names
// a manifest whose blobs are missing.
#include <functional>
#include <set>

#include <fmt/format.h>

#include "oci/image_format.hpp"
#include "registry/client_core.hpp"
#include "registry/manifest_util.hpp"
#include "registry/parallel.hpp"
#include "registry/registry_client.hpp"

namespace dbuild::registry {
namespace {

// Reads a manifest or index named in the tree: from the content store for a push, from the
// source repository for a copy.
using ReadManifest = std::function<sdk::Result<std::string>(const sdk::Descriptor&)>;

struct ImagePlan {
  std::vector<sdk::Descriptor> blobs;                              // configs and layers, each once
  std::vector<sdk::Digest> blob_owners;                            // the manifest naming each blob
  std::vector<std::pair<sdk::Descriptor, std::string>> manifests;  // children before parents; root last
  std::set<sdk::Digest> seen;
};

sdk::Status gather(const ReadManifest& read, const sdk::Descriptor& node, ImagePlan& plan, int depth) {
  if (depth > 4) return sdk::Status::invalid_argument("indexes nested deeper than 4 levels");
  auto bytes = read(node);
  if (!bytes) return bytes.status();
  if (oci::is_index_type(node.media_type)) {
    auto index = oci::parse_index(*bytes);
    if (!index) return index.status().with_context("reading index " + node.digest.str());
    for (const auto& child : index->manifests)
      if (oci::is_index_type(child.media_type) || oci::is_manifest_type(child.media_type))
        if (auto status = gather(read, child, plan, depth + 1); !status) return status;
  } else if (oci::is_manifest_type(node.media_type)) {
    auto manifest = oci::parse_manifest(*bytes);
    if (!manifest) return manifest.status().with_context("reading manifest " + node.digest.str());
  } else {
    return sdk::Status::invalid_argument(
        fmt::format("{} is not a manifest or index ({})", node.digest.str(), node.media_type));
  }
  // An index may list blobs directly (a build cache index: records and layers).
  for (const auto& blob : named_blobs(node.media_type, *bytes)) {
    if (!plan.seen.insert(blob.digest).second) continue;
    plan.blobs.push_back(blob);
    plan.blob_owners.push_back(node.digest);
  }
  plan.manifests.emplace_back(node, std::move(*bytes));
  return sdk::Status::ok();
}

// Child manifests by digest, in the plan's order (children first); not the root.
sdk::Status push_children(RegistryClient& client, const oci::Reference& repository, const ImagePlan& plan) {
  oci::Reference by_digest = repository;
  by_digest.tag.clear();
  for (std::size_t i = 0; i + 1 < plan.manifests.size(); ++i) {
    const auto& [descriptor, bytes] = plan.manifests[i];
    by_digest.digest = descriptor.digest.str();
    auto pushed = client.push_manifest(by_digest, bytes, descriptor.media_type);
    if (!pushed) return pushed.status();
  }
  return sdk::Status::ok();
}

}  // namespace

sdk::Result<sdk::Descriptor> RegistryClient::push_image(const oci::Reference& reference, const sdk::Descriptor& root,
                                                        sdk::ContentStore& store, const TransferOptions& options) {
  SaveLocationsAtEnd save{core_->locations()};
  auto what = "pushing " + reference.str();
  ImagePlan plan;
  auto read = [&store](const sdk::Descriptor& node) -> sdk::Result<std::string> {
    auto bytes = store.read(node.digest);
    if (!bytes) return bytes.status().with_context(fmt::format("reading {} from the content store", node.digest.str()));
    return bytes;
  };
  if (auto status = gather(read, root, plan, 0); !status) return status.with_context(what);
  for (std::size_t i = 0; i < plan.blobs.size(); ++i)
    if (!store.exists(plan.blobs[i].digest))
      return sdk::Status::not_found(fmt::format("blob {} of manifest {} is not in the content store",
                                                plan.blobs[i].digest.str(), plan.blob_owners[i].str()))
          .with_context(what);
  auto status = run_bounded(plan.blobs.size(), core_->options().max_parallel_transfers, options.stop,
                            [&](std::size_t index, std::stop_token stop) {
                              TransferOptions mine{options.progress, stop};
                              return push_blob(reference, plan.blobs[index], store, mine);
                            });
  if (!status) return status.with_context(what);
  if (options.stop.stop_requested()) return sdk::Status::cancelled("cancelled").with_context(what);
  if (auto pushed = push_children(*this, reference, plan); !pushed) return pushed.with_context(what);

  const auto& [descriptor, bytes] = plan.manifests.back();
  oci::Reference target = reference;
  if (target.tag.empty())
    target.digest = descriptor.digest.str();
  else
    target.digest.clear();
  auto pushed = push_manifest(target, bytes, descriptor.media_type);
  if (!pushed) return pushed.status().with_context(what);
  auto result = root;
  result.size = pushed->size;
  return result;
}

// The root goes last and by digest too: the caller tags it (or an index naming it) once the
// whole tree is there.
sdk::Status RegistryClient::copy_image(const oci::Reference& from, const oci::Reference& to, const sdk::Descriptor& root,
                                       sdk::ContentStore& scratch, const TransferOptions& options) {
  auto what = fmt::format("copying {} from {} to {}", root.digest.str(), from.name(), to.name());
  ImagePlan plan;
  auto read = [&](const sdk::Descriptor& node) -> sdk::Result<std::string> {
    auto fetched = fetch_manifest(from, node.digest);
    if (!fetched) return fetched.status();
    return std::move(fetched->bytes);
  };
  if (auto status = gather(read, root, plan, 0); !status) return status.with_context(what);
  auto status = run_bounded(plan.blobs.size(), core_->options().max_parallel_transfers, options.stop,
                            [&](std::size_t index, std::stop_token stop) {
                              TransferOptions mine{options.progress, stop};
                              return copy_blob(from, to, plan.blobs[index], scratch, mine);
                            });
  if (!status) return status.with_context(what);
  if (options.stop.stop_requested()) return sdk::Status::cancelled("cancelled").with_context(what);
  if (auto pushed = push_children(*this, to, plan); !pushed) return pushed.with_context(what);
  oci::Reference target = to;
  target.tag.clear();
  target.digest = root.digest.str();
  const auto& [descriptor, bytes] = plan.manifests.back();
  auto pushed = push_manifest(target, bytes, descriptor.media_type);
  if (!pushed) return pushed.status().with_context(what);
  return sdk::Status::ok();
}

}  // namespace dbuild::registry
