// image_push.cpp: pushing a whole image from the content store: everything the root names is
// gathered (and checked present) first, then blobs go up in parallel, then child manifests by
// digest, and the tag last, so that no tag ever names a manifest whose blobs are missing.
#include <set>

#include <fmt/format.h>

#include "oci/image_format.hpp"
#include "registry/client_core.hpp"
#include "registry/parallel.hpp"
#include "registry/registry_client.hpp"

namespace dbuild::registry {
namespace {

struct PushPlan {
  std::vector<sdk::Descriptor> blobs;                              // configs and layers, each once
  std::vector<std::pair<sdk::Descriptor, std::string>> manifests;  // children before parents; root last
  std::set<sdk::Digest> seen;
};

sdk::Status gather(sdk::ContentStore& store, const sdk::Descriptor& node, PushPlan& plan, int depth) {
  if (depth > 4) return sdk::Status::invalid_argument("indexes nested deeper than 4 levels");
  auto bytes = store.read(node.digest);
  if (!bytes) return bytes.status().with_context(fmt::format("reading {} from the content store", node.digest.str()));
  if (oci::is_index_type(node.media_type)) {
    auto index = oci::parse_index(*bytes);
    if (!index) return index.status().with_context("reading index " + node.digest.str());
    for (const auto& child : index->manifests)
      if (auto status = gather(store, child, plan, depth + 1); !status) return status;
  } else if (oci::is_manifest_type(node.media_type)) {
    auto manifest = oci::parse_manifest(*bytes);
    if (!manifest) return manifest.status().with_context("reading manifest " + node.digest.str());
    std::vector<sdk::Descriptor> blobs{manifest->config};
    blobs.insert(blobs.end(), manifest->layers.begin(), manifest->layers.end());
    for (const auto& blob : blobs) {
      bool foreign = blob.media_type.find("nondistributable") != std::string::npos ||
                     blob.media_type.find("foreign") != std::string::npos;
      if (foreign || !plan.seen.insert(blob.digest).second) continue;
      if (!store.exists(blob.digest))
        return sdk::Status::not_found(
            fmt::format("blob {} of manifest {} is not in the content store", blob.digest.str(), node.digest.str()));
      plan.blobs.push_back(blob);
    }
  } else {
    return sdk::Status::invalid_argument(
        fmt::format("{} is not a manifest or index ({})", node.digest.str(), node.media_type));
  }
  plan.manifests.emplace_back(node, std::move(*bytes));
  return sdk::Status::ok();
}

}  // namespace

sdk::Result<sdk::Descriptor> RegistryClient::push_image(const oci::Reference& reference, const sdk::Descriptor& root,
                                                        sdk::ContentStore& store, const TransferOptions& options) {
  auto what = "pushing " + reference.str();
  PushPlan plan;
  if (auto status = gather(store, root, plan, 0); !status) return status.with_context(what);
  auto status = run_bounded(plan.blobs.size(), core_->options().max_parallel_transfers, options.stop,
                            [&](std::size_t index, std::stop_token stop) {
                              TransferOptions mine{options.progress, stop};
                              return push_blob(reference, plan.blobs[index], store, mine);
                            });
  if (!status) return status.with_context(what);
  if (options.stop.stop_requested()) return sdk::Status::cancelled("cancelled").with_context(what);

  oci::Reference by_digest = reference;
  by_digest.tag.clear();
  for (std::size_t i = 0; i + 1 < plan.manifests.size(); ++i) {
    const auto& [descriptor, bytes] = plan.manifests[i];
    by_digest.digest = descriptor.digest.str();
    auto pushed = push_manifest(by_digest, bytes, descriptor.media_type);
    if (!pushed) return pushed.status().with_context(what);
  }
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

}  // namespace dbuild::registry
