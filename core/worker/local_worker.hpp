// local_worker.hpp: the Worker that runs ops on this machine: images (from the image store,
// OCI layouts or registries) are unpacked into snapshots, exec ops run under runc in a prepared snapshot, file ops change a snapshot with
// BuildKit's copy rules, local sources are read in place from the client's directories.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <dbuild/sdk/content_store.hpp>
#include <dbuild/sdk/platform.hpp>
#include <dbuild/sdk/registry.hpp>

#include "image/oci_layout.hpp"
#include "oci/reference.hpp"
#include "solver/worker.hpp"
#include "worker/http_download.hpp"

namespace dbuild::snapshot {
class Snapshotter;
}
namespace dbuild::executor {
class Executor;
}
namespace dbuild::content {
class LocalContentStore;
class Lease;
}  // namespace dbuild::content
namespace dbuild::image {
class ImageStore;
class LayerBlobs;
}  // namespace dbuild::image
namespace dbuild::context {
class ChecksumCache;
}

namespace dbuild::worker {

/// The engine's long-lived parts the worker uses; all outlive it.
struct WorkerServices {
  snapshot::Snapshotter& snapshots;
  executor::Executor& executor;
  content::LocalContentStore& content;
  sdk::ContentStore& build_content;  // the same store through this build's lease: what it writes stays
  const content::Lease& lease;       // until an image refers to it
  image::ImageStore& images;
  image::LayerBlobs& layer_blobs;
  context::ChecksumCache& checksums;
  sdk::Registry& registry;  // base images the image store does not have
};

/// What one build brings: the client's directories and secrets, and where its scratch files go.
struct WorkerConfig {
  std::map<std::string, std::filesystem::path> local_dirs;
  std::map<std::string, std::vector<std::string>> local_excludes;  // applied before an op's own patterns
  std::map<std::string, std::string> secrets;
  std::filesystem::path scratch_dir;    // this build's own: hosts file, secret files
  std::filesystem::path cache_mounts_dir;  // shared by builds: RUN --mount=type=cache
  std::string container_prefix;         // container ids start with it (the session's name)
  sdk::Platform platform;
  bool pull = false;  // --pull: resolve image tags at their registry even when the image store has them
};

class LocalWorker final : public solver::Worker {
 public:
  LocalWorker(WorkerServices services, WorkerConfig config);
  ~LocalWorker() override;

  sdk::Result<std::string> source_identity(const sdk::SourceOp& op) override;
  sdk::Result<solver::LocalChecksum> local_checksum(const solver::VertexResult& local,
                                          const solver::LocalSelection& selection) override;
  sdk::Result<solver::VertexResult> source(const sdk::SourceOp& op, const solver::VertexContext& context) override;
  sdk::Result<solver::VertexResult> exec(const sdk::ExecOp& op, const std::vector<solver::VertexResult>& inputs,
                                         const solver::VertexContext& context) override;
  sdk::Result<solver::VertexResult> file(const sdk::FileOp& op, const std::vector<solver::VertexResult>& inputs,
                                         const solver::VertexContext& context) override;
  sdk::Result<solver::VertexResult> merge(const sdk::MergeOp& op, const std::vector<solver::VertexResult>& inputs,
                                          const solver::VertexContext& context) override;
  sdk::Result<solver::VertexResult> diff(const sdk::DiffOp& op, const std::vector<solver::VertexResult>& inputs,
                                         const solver::VertexContext& context) override;
  bool available(const solver::VertexResult& result) override;

  /// The image a source op names, resolved once per build (tag -> digest is fixed for a build).
  sdk::Result<image::ResolvedImage> resolve_image(const sdk::SourceOp& op);

 private:
  struct NamedImage {
    image::ResolvedImage image;
    bool from_registry = false;
  };
  std::string image_key(const sdk::SourceOp& op) const;  // resolved_ and from_registry_ are keyed by it
  sdk::Result<NamedImage> resolve_named_image(const oci::Reference& reference, const sdk::Platform& platform);
  sdk::Result<solver::VertexResult> unpack_image(const sdk::SourceOp& op, const solver::VertexContext& context);
  /// The URL's body, downloaded once per build (identity and source both need it).
  sdk::Result<Download> fetch(const std::string& url, std::stop_token stop);
  sdk::Result<solver::VertexResult> http_source(const sdk::SourceOp& op, const solver::VertexContext& context);
  sdk::Result<std::filesystem::path> hosts_file();

  WorkerServices services_;
  WorkerConfig config_;
  std::mutex mutex_;
  std::map<std::string, image::ResolvedImage> resolved_;
  std::map<std::string, oci::Reference> from_registry_;  // same keys: resolved at a registry
  std::mutex downloads_mutex_;  // held while downloading: one fetch per URL per build
  std::map<std::string, Download> downloads_;
  std::atomic<std::uint64_t> next_container_{0};
};

}  // namespace dbuild::worker
