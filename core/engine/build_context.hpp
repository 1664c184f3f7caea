// build_context.hpp: the state of one build inside the engine: its lease and scratch dir, a
// worker per platform, the solved results, the images made of them, and the FrontendContext
// and ExportSource that the plugins see.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include <dbuild/sdk/engine.hpp>
#include <dbuild/sdk/exporter.hpp>
#include <dbuild/sdk/frontend.hpp>

#include "content/local_content_store.hpp"
#include "engine/local_engine.hpp"
#include "image/image_builder.hpp"
#include "snapshot/snapshotter.hpp"
#include "solver/solver.hpp"

namespace dbuild::worker {
class LocalWorker;
}
namespace dbuild::cache {
class ImportedRecords;
class LazyContentStore;
}  // namespace dbuild::cache

namespace dbuild::engine {

class EngineStep;

/// Whether a solve may leave its output in an imported cache (LazyOutput::Yes: no exporter needs
/// its files, only its image, whose layers are then read from the cache when something needs
/// their bytes) or must make it local as every other result (No).
enum class LazyOutput { No, Yes };

class BuildContext {
 public:
  BuildContext(LocalEngine::Parts& parts, const sdk::SolveRequest& request, const content::Lease& lease,
               std::string build_id, sdk::ProgressSink& progress);
  ~BuildContext();
  BuildContext(const BuildContext&) = delete;
  BuildContext& operator=(const BuildContext&) = delete;

  [[nodiscard]] sdk::FrontendContext& frontend_context();
  /// The result as exporters see it; what they report goes to `step`.
  [[nodiscard]] sdk::ExportSource& export_source(EngineStep& step, std::stop_token stop);

  /// Solves one platform's Definition and remembers its result; `steps` gets what happened to
  /// each step, failed builds included. `imported` (may be null) answers what the local cache
  /// cannot; with LazyOutput::Yes an output it answers stays there (see LazyOutput).
  [[nodiscard]] sdk::Status solve(const sdk::PlatformResult& result, std::stop_token stop,
                                  std::vector<solver::StepRecord>& steps, cache::ImportedRecords* imported,
                                  LazyOutput lazy);
  /// The steps of `platform`'s solve, for cache export.
  [[nodiscard]] const std::vector<solver::CacheEntry>& cache_entries(const sdk::Platform& platform);
  /// Sets `key` of the image config of `platform` to `value` (JSON), before an exporter makes the
  /// image. Errors: not_found (no such platform), failed_precondition (the image was made already),
  /// invalid_argument (`value` is not JSON).
  [[nodiscard]] sdk::Status set_config_field(const sdk::Platform& platform, const std::string& key,
                                             const std::string& value);
  /// Bytes of the images exporters asked for (manifests, configs, layers), for history.
  [[nodiscard]] std::int64_t exported_bytes() const { return exported_bytes_; }
  void count_exported(const sdk::ExportImage& image);

  [[nodiscard]] std::vector<sdk::Platform> platforms() const;
  /// The result for `platform` as an image in the content store with uncompressed layers (made
  /// once): what the local image store keeps.
  [[nodiscard]] sdk::Result<sdk::ExportImage> image(const sdk::Platform& platform);
  /// The same image in the form an exporter asks for (compressed layers, media types); layers
  /// compressed now go into `sink` when one is given (ExportSource::image_into).
  [[nodiscard]] sdk::Result<sdk::ExportImage> image(const sdk::Platform& platform, const sdk::ImageOptions& options,
                                                    sdk::LayerSink* sink = nullptr);
  /// Fetches the layers of an output left in the imported cache that image(platform, options)
  /// will read to compress them; ok when there are none. Errors: as LazyContentStore::fetch.
  [[nodiscard]] sdk::Status fetch_layers_to_convert(const sdk::Platform& platform, const sdk::ImageOptions& options);
  /// Names the image of `platform` (the store's form, as image(platform)) in the image store.
  [[nodiscard]] sdk::Result<sdk::ExportImage> store_image(const std::string& name, const sdk::Platform& platform);
  /// A read-only view of the result's root file system, alive until the build ends.
  [[nodiscard]] sdk::Result<std::filesystem::path> rootfs(const sdk::Platform& platform);

  [[nodiscard]] worker::LocalWorker& worker_for(const sdk::Platform& platform);
  [[nodiscard]] const sdk::SolveRequest& request() const { return request_; }
  [[nodiscard]] sdk::ProgressSink& progress() { return progress_; }
  [[nodiscard]] sdk::ContentStore& content() { return leased_; }
  /// The store exporters see: content(), in which the layers of an output left in an imported
  /// cache count as present and are fetched when read (cache::LazyContentStore).
  [[nodiscard]] sdk::ContentStore& export_content();

 private:
  struct Solved {
    sdk::Platform platform;
    std::optional<snapshot::SnapshotId> snapshot;
    std::string image_config;
    std::optional<sdk::ExportImage> image;
    std::vector<solver::CacheEntry> cache_entries;
    std::optional<std::string> imported_output;  // the output's key, when left in the imported cache
  };
  class FrontendView;
  class ExportView;
  Solved* find(const sdk::Platform& platform);
  [[nodiscard]] sdk::Result<sdk::ExportImage> imported_image(const Solved& solved,
                                                             const image::BuildImageOptions& options);

  LocalEngine::Parts& parts_;
  const sdk::SolveRequest& request_;
  const content::Lease& lease_;
  std::string build_id_;
  sdk::ProgressSink& progress_;
  content::LeasedContentStore leased_;
  std::filesystem::path scratch_dir_;
  std::map<std::string, std::unique_ptr<worker::LocalWorker>> workers_;  // by platform
  std::vector<Solved> solved_;
  std::vector<std::unique_ptr<snapshot::View>> views_;
  std::unique_ptr<FrontendView> frontend_view_;
  std::unique_ptr<ExportView> export_view_;
  cache::ImportedRecords* imported_ = nullptr;               // the solves' imported cache, if any
  std::unique_ptr<cache::LazyContentStore> lazy_content_;  // made by the first lazy output
  std::int64_t exported_bytes_ = 0;
};

}  // namespace dbuild::engine
