// registry_cache.cpp: caches pushed to and read from a registry (registry_cache.hpp).
#include "registry_cache.hpp"

#include "../common/cache_attributes.hpp"

namespace dbuild::cache_backends {
namespace {

// Reads a cache (or an image with inline records) at one reference. The registry client checks
// what it fetches against digests; a registry refuses a manifest whose blobs it lacks, so the
// blobs are not asked for ahead of use.
class RegistryReader final : public sdk::CacheReader {
 public:
  RegistryReader(sdk::Registry& registry, std::string reference)
      : registry_(registry), reference_(std::move(reference)) {}

  sdk::Result<sdk::Descriptor> resolve() override { return registry_.resolve(reference_, std::nullopt); }

  sdk::Result<std::string> fetch_manifest(const sdk::Descriptor& manifest) override {
    return registry_.fetch_manifest(reference_, manifest.digest);
  }

  sdk::Status fetch_blob(const sdk::Descriptor& blob, sdk::ContentStore& store, const sdk::TransferHooks& hooks) override {
    return registry_.pull_blob(reference_, blob, store, hooks);
  }

  sdk::Status check_blobs(const std::vector<sdk::Descriptor>&) override { return sdk::Status::ok(); }

 private:
  sdk::Registry& registry_;
  std::string reference_;
};

}  // namespace

sdk::Status RegistryCache::check(const sdk::Attributes& attributes, sdk::CacheDirection direction) {
  const auto status = direction == sdk::CacheDirection::Import ? check_keys(attributes, "registry", {"ref"})
                                                                : check_keys(attributes, "registry", {"ref"}, kLayoutKeys);
  if (!status) return status;
  if (auto required = require(attributes, "ref"); !required) return required;
  if (auto normalized = registry_.normalize(attributes.at("ref")); !normalized)
    return normalized.status().with_context("ref=" + attributes.at("ref"));
  if (direction == sdk::CacheDirection::Import) return sdk::Status::ok();
  auto options = layout_options(attributes);
  return options ? sdk::Status::ok() : options.status();
}

sdk::Result<std::unique_ptr<sdk::CacheReader>> RegistryCache::open(const sdk::Attributes& attributes) {
  return std::make_unique<RegistryReader>(registry_, attributes.at("ref"));
}

sdk::Status RegistryCache::export_cache(const sdk::Attributes& attributes, sdk::CacheExportSource& source) {
  auto options = layout_options(attributes);
  if (!options) return options.status();
  auto layout = source.layout(*options);
  if (!layout) return layout.status();
  const auto& reference = attributes.at("ref");
  auto pushed = registry_.push_image(reference, layout->root, source.content(), sdk::push_progress_hooks(source.progress(), source.stop()));
  return pushed ? sdk::Status::ok() : pushed.status().with_context("pushing the cache to " + reference);
}

}  // namespace dbuild::cache_backends
