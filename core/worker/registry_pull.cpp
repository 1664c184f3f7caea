// registry_pull.cpp: base images from registries (see registry_pull.hpp).
#include "worker/registry_pull.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "oci/image_format.hpp"

namespace dbuild::worker {

sdk::Result<std::optional<image::ResolvedImage>> read_stored_image(const sdk::Descriptor& manifest,
                                                                   sdk::ContentStore& content) {
  if (!content.exists(manifest.digest)) return std::optional<image::ResolvedImage>();
  auto text = content.read(manifest.digest);
  if (!text) return text.status();
  auto parsed = oci::parse_manifest(*text);
  if (!parsed) return parsed.status().with_context("manifest " + manifest.digest.str());
  if (!content.exists(parsed->config.digest)) return std::optional<image::ResolvedImage>();
  auto config = content.read(parsed->config.digest);
  if (!config) return config.status();
  auto diff_ids = image::config_diff_ids(*config);
  if (!diff_ids) return diff_ids.status().with_context("config " + parsed->config.digest.str());
  if (diff_ids->size() != parsed->layers.size())
    return sdk::Status::invalid_argument("manifest " + manifest.digest.str() + " has " +
                                         std::to_string(parsed->layers.size()) + " layers but its config lists " +
                                         std::to_string(diff_ids->size()));
  return std::optional<image::ResolvedImage>(
      image::ResolvedImage{manifest, std::move(*parsed), std::move(*config), std::move(*diff_ids)});
}

namespace {

// Layer progress for the step, at most one event per layer per 2 MiB (and the last one).
class LayerProgress {
 public:
  explicit LayerProgress(const solver::VertexContext& context) : context_(context) {}
  void operator()(const sdk::Digest& blob, std::int64_t done, std::int64_t total) {
    const std::string id = blob.str().substr(0, 19);
    {
      std::lock_guard lock(mutex_);
      auto& last = shown_[id];
      if (done != total && done - last < (2 << 20)) return;
      last = done;
    }
    context_.status(id, done, total);
  }

 private:
  const solver::VertexContext& context_;
  std::mutex mutex_;
  std::map<std::string, std::int64_t> shown_;
};

}  // namespace

sdk::Result<image::ResolvedImage> resolve_from_registry(sdk::Registry& registry, const oci::Reference& reference,
                                                        const sdk::Platform& platform, sdk::ContentStore& content) {
  const std::string text = reference.str();
  auto descriptor = registry.resolve(text, platform);
  if (!descriptor) return descriptor.status();
  if (!content.exists(descriptor->digest)) {
    auto bytes = registry.fetch_manifest(text, descriptor->digest);
    if (!bytes) return bytes.status();
    if (!oci::is_manifest_type(oci::declared_media_type(*bytes)) && !oci::is_manifest_type(descriptor->media_type))
      return sdk::Status::invalid_argument(reference.str() + ": the registry's manifest " + descriptor->digest.str() +
                                           " is not an image manifest");
    if (auto stored = content.write(*bytes, descriptor->digest); !stored) return stored.status();
  }
  auto manifest_text = content.read(descriptor->digest);
  if (!manifest_text) return manifest_text.status();
  auto parsed = oci::parse_manifest(*manifest_text);
  if (!parsed) return parsed.status();
  if (auto status = registry.pull_blob(text, parsed->config, content, {}); !status) return status;
  descriptor->platform = platform;
  auto image = read_stored_image(*descriptor, content);
  if (!image) return image.status();
  if (!*image) return sdk::Status::unavailable("the config of " + descriptor->digest.str() + " was not stored");
  return std::move(**image);
}

sdk::Result<std::optional<image::ResolvedImage>> resolve_from_content(const oci::Reference& reference,
                                                                      const sdk::Platform& platform,
                                                                      sdk::ContentStore& content) {
  if (reference.digest.empty()) return std::optional<image::ResolvedImage>();
  auto digest = sdk::Digest::parse(reference.digest);
  if (!digest) return digest.status();
  if (!content.exists(*digest)) return std::optional<image::ResolvedImage>();
  auto text = content.read(*digest);
  if (!text) return text.status();
  sdk::Descriptor manifest{oci::declared_media_type(*text), *digest, static_cast<std::int64_t>(text->size()), {}, platform};
  if (oci::is_index_type(manifest.media_type)) {
    auto index = oci::parse_index(*text);
    if (!index) return index.status();
    auto chosen = oci::select_platform(*index, platform);
    if (!chosen) return std::optional<image::ResolvedImage>();  // the registry says which platforms there are
    manifest = index->manifests[*chosen];
    manifest.platform = platform;
  }
  return read_stored_image(manifest, content);
}

sdk::Status pull_layers(sdk::Registry& registry, const oci::Reference& reference, const image::ResolvedImage& image,
                        sdk::ContentStore& content, const solver::VertexContext& context, int parallel) {
  std::vector<sdk::Descriptor> missing;
  for (const auto& layer : image.parsed.layers)
    if (!content.exists(layer.digest)) missing.push_back(layer);
  if (missing.empty()) return sdk::Status::ok();
  const std::string text = reference.str();
  LayerProgress progress(context);
  sdk::TransferHooks hooks;
  hooks.stop = context.stop;
  hooks.progress = std::ref(progress);
  std::atomic<std::size_t> next{0};
  std::mutex failure_mutex;
  sdk::Status failure = sdk::Status::ok();
  auto work = [&] {
    for (std::size_t i = next++; i < missing.size(); i = next++) {
      {
        std::lock_guard lock(failure_mutex);
        if (!failure) return;
      }
      auto status = registry.pull_blob(text, missing[i], content, hooks);
      if (!status) {
        std::lock_guard lock(failure_mutex);
        if (failure) failure = status.with_context("pulling " + reference.familiar() + " layer " + missing[i].digest.str());
        return;
      }
    }
  };
  {
    std::vector<std::jthread> threads;
    const auto count = std::min<std::size_t>(static_cast<std::size_t>(std::max(parallel, 1)), missing.size());
    for (std::size_t t = 1; t < count; ++t) threads.emplace_back(work);
    work();
  }
  return failure;
}

}  // namespace dbuild::worker
