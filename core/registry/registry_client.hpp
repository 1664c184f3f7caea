// registry_client.hpp: the distribution-API client (OCI distribution spec, Docker registry v2):
// resolving references, pulling and pushing manifests, indexes and blobs, with auth (anonymous,
// Basic, bearer tokens), TLS rules per registry, bounded retries and parallel transfers.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

#include <dbuild/sdk/content_store.hpp>
#include <dbuild/sdk/descriptor.hpp>
#include <dbuild/sdk/platform.hpp>
#include <dbuild/sdk/status.hpp>

#include "oci/image_format.hpp"
#include "oci/reference.hpp"
#include "registry/backoff.hpp"
#include "registry/credentials.hpp"
#include "registry/http_transport.hpp"
#include "registry/registry_hosts.hpp"

namespace dbuild::registry {

/// One HTTP exchange, as the client saw it (for --debug logs and tests counting requests).
class ClientCore;  // client_core.hpp, internal
class BlobLocationStore;  // blob_location_store.hpp

struct RequestRecord {
  std::string method;
  std::string url;
  long status = 0;    // 0 when no answer came
  std::string error;  // the transport's error when no answer came
};

struct ClientOptions {
  HostRules hosts{};                          // see load_host_rules()
  CredentialProvider* credentials = nullptr;  // not owned; must outlive the client; null: anonymous
  RetryPolicy retry{};
  int max_parallel_transfers = 3;              // blobs moved at once by pull_image / push_image
  std::int64_t chunk_size = 16 * 1024 * 1024;  // larger blobs are uploaded in PATCH chunks of this size
  std::string user_agent = "dbuild";
  std::function<void(std::chrono::milliseconds)> sleep{};          // default: std::this_thread::sleep_for
  std::function<std::chrono::system_clock::time_point()> clock{};  // token expiry; default: system clock
  std::function<void(const RequestRecord&)> on_request{};          // called from the requesting thread
};

/// A manifest or index as fetched, its digest checked against its bytes.
struct FetchedManifest {
  std::string bytes;
  std::string media_type;
  sdk::Digest digest;

  [[nodiscard]] sdk::Descriptor descriptor() const {
    return {media_type, digest, static_cast<std::int64_t>(bytes.size())};
  }
};

/// What a blob transfer is doing, for the caller to show (bytes per layer).
struct TransferProgress {
  enum class State { Transferring, Exists, Mounted, Done };
  sdk::Digest digest;
  std::string media_type;
  State state = State::Transferring;
  std::int64_t current = 0;  // bytes so far
  std::int64_t total = 0;    // the blob's size
};
/// Called from transfer threads, possibly at once: it must be thread-safe and quick.
using ProgressCallback = std::function<void(const TransferProgress&)>;

struct TransferOptions {
  ProgressCallback progress{};
  std::stop_token stop{};  // ends transfers early with a cancelled Status
};

struct PulledImage {
  sdk::Descriptor root;      // what the reference named: an index or a manifest
  sdk::Descriptor manifest;  // the platform's manifest (== root when root is a manifest)
  oci::Manifest parsed;      // that manifest, parsed
};

/// Thread-safe: one client may serve a whole build's pulls and pushes at once. Nothing throws;
/// every error says what failed and where (registry, repository, digest).
class RegistryClient {
 public:
  /// `transport` null means libcurl.
  explicit RegistryClient(ClientOptions options, std::unique_ptr<HttpTransport> transport = nullptr);
  ~RegistryClient();
  RegistryClient(const RegistryClient&) = delete;
  RegistryClient& operator=(const RegistryClient&) = delete;

  /// The descriptor a reference names (HEAD, falling back to GET), accepting OCI and Docker
  /// schema-2 manifests and indexes. With a platform and an index, the platform's manifest.
  /// Errors: not_found (no such tag, digest or platform), permission_denied, unavailable,
  /// invalid_argument (a digest that does not match the body, an unsupported media type).
  [[nodiscard]] sdk::Result<sdk::Descriptor> resolve(const oci::Reference& reference,
                                                     const std::optional<sdk::Platform>& platform = std::nullopt);

  /// A manifest or index by the reference's digest, else its tag; verified against the digest
  /// asked for and the registry's Docker-Content-Digest. The blobs it names are remembered as
  /// held by its repository (mount sources for push_blob). Errors as resolve().
  [[nodiscard]] sdk::Result<FetchedManifest> fetch_manifest(const oci::Reference& reference);
  /// A manifest or index of `repository` (its tag and digest are ignored) by digest.
  [[nodiscard]] sdk::Result<FetchedManifest> fetch_manifest(const oci::Reference& repository,
                                                            const sdk::Digest& digest);

  /// The manifest for `platform` in an index (variants chosen as containerd does). Errors:
  /// invalid_argument (not an index), not_found (no such platform; the message lists those there).
  [[nodiscard]] static sdk::Result<sdk::Descriptor> resolve_platform(std::string_view index_json,
                                                                     const sdk::Platform& platform);

  /// Streams a blob into `store`, verified (a blob whose digest or size does not match is refused
  /// and nothing is stored), resuming with Range after a dropped connection. A blob already in
  /// the store is not downloaded.
  [[nodiscard]] sdk::Status pull_blob(const oci::Reference& repository, const sdk::Descriptor& blob,
                                      sdk::ContentStore& store, const TransferOptions& options = {});

  /// Pulls a manifest (the platform's, when the reference names an index), its config and its
  /// layers into `store`, the index and manifest too, layers in parallel. Errors as pull_blob.
  [[nodiscard]] sdk::Result<PulledImage> pull_image(const oci::Reference& reference, const sdk::Platform& platform,
                                                    sdk::ContentStore& store, const TransferOptions& options = {});

  /// A small blob (an image config) into memory, verified against the descriptor's digest and
  /// size. Errors as pull_blob, and invalid_argument when the descriptor's size passes
  /// `max_size` (so that a hostile descriptor cannot make the client hold gigabytes).
  [[nodiscard]] sdk::Result<std::string> fetch_blob(const oci::Reference& repository, const sdk::Descriptor& blob,
                                                    std::int64_t max_size = 16 * 1024 * 1024);

  /// Makes `to` hold a blob that `from` holds: nothing when it has it already; a cross-repository
  /// mount within one registry; else (another registry, or a refused mount) a download into
  /// `scratch` and an upload. Errors as pull_blob and push_blob.
  [[nodiscard]] sdk::Status copy_blob(const oci::Reference& from, const oci::Reference& to, const sdk::Descriptor& blob,
                                      sdk::ContentStore& scratch, const TransferOptions& options = {});

  /// Copies the manifest or index `root` of repository `from`, with everything it names, into
  /// repository `to` (tags of both are ignored): blobs first (copy_blob, in parallel), then child
  /// manifests, `root` last, all by digest. Errors: as copy_blob and push_manifest, not_found
  /// (`root` or a child missing from `from`), invalid_argument (not a manifest or index).
  [[nodiscard]] sdk::Status copy_image(const oci::Reference& from, const oci::Reference& to, const sdk::Descriptor& root,
                                       sdk::ContentStore& scratch, const TransferOptions& options = {});

  /// Uploads a blob from `store` unless the repository has it; mounts it from another repository
  /// of the same registry when this client saw it there. Small blobs go up in one PUT, large
  /// ones in PATCH chunks. The blob's file is asked of `store` (path()) only when it must be
  /// uploaded, so that a store which fetches blobs on demand fetches none that a mount spared.
  [[nodiscard]] sdk::Status push_blob(const oci::Reference& repository, const sdk::Descriptor& blob,
                                      sdk::ContentStore& store, const TransferOptions& options = {});

  /// PUTs a manifest or index under the reference's tag (or its digest when it has no tag).
  /// Returns its descriptor. The blobs it names must be pushed first (push_image does that).
  [[nodiscard]] sdk::Result<sdk::Descriptor> push_manifest(const oci::Reference& reference, std::string_view bytes,
                                                           std::string_view media_type);

  /// Pushes the image `root` (a manifest or an index, with everything it names, from `store`):
  /// blobs first, then child manifests by digest, the root under the reference's tag last, so
  /// that a tag never points at a manifest whose blobs are missing.
  [[nodiscard]] sdk::Result<sdk::Descriptor> push_image(const oci::Reference& reference, const sdk::Descriptor& root,
                                                        sdk::ContentStore& store, const TransferOptions& options = {});

  /// Checks credentials against `registry` (a /v2/ ping, then a token for bearer realms) as
  /// `dbuild login` does. Errors: permission_denied (refused), unavailable.
  [[nodiscard]] sdk::Status check_login(std::string_view registry, const Credentials& credentials);

  /// Records that `repository` (domain and path) holds `digest`, for cross-repository mounts.
  void note_blob_location(const oci::Reference& repository, const sdk::Digest& digest);

  /// Keeps blob locations in `store` too (not owned; null: memory only), so that other processes
  /// can mount what this one saw. Set it before the first transfer; `store` must outlive the
  /// client. Locations are saved at the end of pull_image and push_image, by save_blob_locations()
  /// and when the client is destroyed.
  void use_location_store(BlobLocationStore* store);
  /// Hands the locations seen since the last save to the store (one transaction). Never fails.
  void save_blob_locations();

 private:
  sdk::Result<FetchedManifest> note_named_blobs(const oci::Reference& repository, sdk::Result<FetchedManifest> fetched);

  std::unique_ptr<ClientCore> core_;
};

/// The Accept header for manifests: OCI and Docker schema 2, images and indexes.
[[nodiscard]] std::string manifest_accept_header();

}  // namespace dbuild::registry
