// local_engine.hpp: the engine that runs in this process on one state root: the database,
// content store, snapshotter, executor, image store and cache, and the plugins (frontends,
// exporters) it builds and exports with. The local driver hands it out; dbuildd will serve it.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include <dbuild/sdk/engine.hpp>
#include <dbuild/sdk/host.hpp>

#include "engine/session.hpp"

namespace dbuild::db {
class Database;
}
namespace dbuild::content {
class LocalContentStore;
class Clock;
}  // namespace dbuild::content
namespace dbuild::snapshot {
class Snapshotter;
}
namespace dbuild::executor {
class RuncExecutor;
}
namespace dbuild::image {
class ImageStore;
class LayerBlobs;
}  // namespace dbuild::image
namespace dbuild::context {
class ChecksumCache;
}
namespace dbuild::solver {
class SqliteCacheStore;
}
namespace dbuild::plugin {
class PluginRegistry;
}

namespace dbuild::engine {

/// The default state root: /var/lib/dbuild as root, $XDG_DATA_HOME/dbuild (or
/// ~/.local/share/dbuild) otherwise.
[[nodiscard]] std::filesystem::path default_state_root();

/// What the engine keeps of its build history (dbuild's config.json "history" section), and how
/// many build steps it runs at once.
struct EngineSettings {
  std::size_t max_parallelism = 0;  // --max-parallelism; 0: solver::kDefaultMaxParallel
  std::size_t history_max_entries = 200;
  std::int64_t history_max_age_seconds = 30LL * 24 * 3600;
  std::int64_t history_log_ceiling = 64LL << 20;  // bytes of one step's output
};

class LocalEngine final : public sdk::Engine {
 public:
  /// Opens (creating) the state root, migrates its database, and cleans up after dead
  /// sessions. `plugins` supplies frontends and exporters, `registry` pulls base images; both
  /// must outlive the engine.
  /// Errors: permission_denied (state root not writable), failed_precondition (database newer
  /// than this dbuild, or corrupt), unavailable.
  [[nodiscard]] static sdk::Result<std::unique_ptr<LocalEngine>> open(const std::filesystem::path& state_root,
                                                                      plugin::PluginRegistry& plugins,
                                                                      sdk::Logger& logger,
                                                                      sdk::Registry& registry,
                                                                      const EngineSettings& settings = {});
  ~LocalEngine() override;

  [[nodiscard]] sdk::Result<sdk::EngineInfo> info() override;
  [[nodiscard]] sdk::Result<sdk::SolveResponse> solve(const sdk::SolveRequest& request, sdk::ProgressSink& progress,
                                                      std::stop_token stop) override;
  [[nodiscard]] sdk::Result<std::vector<sdk::ImageSummary>> list_images() override;
  [[nodiscard]] sdk::Result<sdk::ImageDetails> inspect_image(const std::string& name) override;
  [[nodiscard]] sdk::Status remove_image(const std::string& name) override;
  [[nodiscard]] sdk::Result<sdk::DiskUsage> disk_usage() override;
  [[nodiscard]] sdk::Result<sdk::PruneResult> prune(const sdk::PruneOptions& options) override;

  // The parts, for the build in build.cpp.
  struct Parts;
  [[nodiscard]] Parts& parts() { return *parts_; }

 private:
  explicit LocalEngine(std::unique_ptr<Parts> parts);

  std::unique_ptr<Parts> parts_;
};

}  // namespace dbuild::engine
