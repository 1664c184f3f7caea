// registry.hpp: the registry service the host hands plugins (an exporter pushing an image, a
// cache backend keeping cache in a registry) and the engine (pulling base images). It reaches
// registries with the user's logins (Docker's config.json, credential helpers), the TLS and
// insecure-registry rules of dbuild's config, and bounded retries.
//
// Example: pushing an image an exporter was handed.
//
//   auto image = source.image(platform, options);
//   sdk::TransferHooks hooks;
//   hooks.progress = [&](const sdk::Digest& blob, std::int64_t done, std::int64_t total) { ... };
//   auto pushed = host.registry().push_image("registry.lan/team/app:1", image->manifest, source.content(), hooks);
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

#include <dbuild/sdk/content_store.hpp>
#include <dbuild/sdk/descriptor.hpp>
#include <dbuild/sdk/digest.hpp>
#include <dbuild/sdk/platform.hpp>
#include <dbuild/sdk/progress.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {

/// What a transfer tells its caller while it runs, and how to stop it.
struct TransferHooks {
  /// Bytes of one blob moved so far, out of its size. Called from transfer threads, possibly at
  /// once for different blobs: it must be thread-safe and quick. A blob that needed no transfer
  /// (already there, or mounted) is reported once as done.
  std::function<void(const Digest& blob, std::int64_t done, std::int64_t total)> progress{};
  std::stop_token stop{};  // a stop request ends the transfer with a cancelled Status
};

/// Hooks that show each blob's bytes as Status events on `sink` (id "pushing sha256:0123456789ab"),
/// as BuildKit shows a push, stopped by `stop`. `sink` must outlive the transfer.
[[nodiscard]] TransferHooks push_progress_hooks(ProgressSink& sink, std::stop_token stop);

/// Thread-safe. References are written as users write them ("alpine", "registry.lan:5000/a/b:1",
/// "name@sha256:..."); Docker Hub names are normalised. Errors of every call: invalid_argument (a
/// malformed reference, content that does not match its digest), not_found, permission_denied (with
/// the hint to log in), unavailable (the registry cannot be reached), cancelled.
class Registry {
 public:
  virtual ~Registry() = default;

  /// The reference in full, normalised form: "alpine" -> "docker.io/library/alpine:latest". No
  /// network. Errors: invalid_argument ("invalid reference format", with details).
  [[nodiscard]] virtual Result<std::string> normalize(std::string_view reference) = 0;

  /// The manifest or index `reference` names; with a platform and an index, that platform's
  /// manifest (variants chosen as containerd does; not_found lists the index's platforms).
  [[nodiscard]] virtual Result<Descriptor> resolve(std::string_view reference,
                                                   const std::optional<Platform>& platform) = 0;

  /// The bytes of a manifest or index of the reference's repository, by digest, verified.
  [[nodiscard]] virtual Result<std::string> fetch_manifest(std::string_view reference, const Digest& digest) = 0;

  /// Downloads a blob of the reference's repository into `store`, verified (nothing is stored
  /// when it does not match); a blob the store has is not downloaded.
  [[nodiscard]] virtual Status pull_blob(std::string_view reference, const Descriptor& blob, ContentStore& store,
                                         const TransferHooks& hooks) = 0;

  /// Pushes `root` (a manifest or an index) and everything it names from `store` to the
  /// reference's repository: blobs the registry lacks, then manifests, the reference's tag last,
  /// so that the tag never names a manifest with missing blobs. A reference without a tag pushes
  /// by digest. Returns the root's descriptor as the registry holds it.
  [[nodiscard]] virtual Result<Descriptor> push_image(std::string_view reference, const Descriptor& root,
                                                      ContentStore& store, const TransferHooks& hooks) = 0;
};

}  // namespace dbuild::sdk
