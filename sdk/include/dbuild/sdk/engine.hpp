// engine.hpp: the Engine API, what a driver connects the CLI to: builds (solve), the engine's
// image store, disk usage and pruning. The local driver hands out the engine running in the
// CLI's own process; other drivers reach a dbuildd over HTTP.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include <dbuild/sdk/options.hpp>
#include <dbuild/sdk/platform.hpp>
#include <dbuild/sdk/progress.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {

struct EngineInfo {
  std::string version{};              // the engine's dbuild version
  std::string runtime{};              // "runc 1.1.5" or "crun 1.8.1", or empty when none works
  std::string snapshotter{};          // "overlay" or "copy"
  std::string state_root{};           // where the engine keeps its state
  std::vector<Platform> platforms{};  // what it can build for, the native one first
};

struct ExportRequest {
  std::string type{};      // the exporter's name: "local", "tar", "image", ...
  Attributes attributes{};  // its options: "dest", ...
};

/// One --cache-from or --cache-to: a cache backend and its attributes. Since ABI 2.0.
struct CacheRequest {
  std::string type{};       // the backend's name: "local", "registry", "inline", ...
  Attributes attributes{};  // its options: "dest", "src", "ref", "mode", ...
};

struct SolveRequest {
  std::string frontend = "dockerfile";
  Attributes frontend_options{};                  // see FrontendRequest::options
  std::vector<Platform> platforms{};              // empty: the engine's native platform
  std::map<std::string, std::string> local_dirs{};  // name ("context", "dockerfile") -> client path
  /// Paths left out of a local dir, .dockerignore syntax (what the client's .dockerignore says).
  std::map<std::string, std::vector<std::string>> local_excludes{};
  std::vector<ExportRequest> exports{};
  std::vector<std::string> tags{};                // -t: names in the engine's image store
  std::map<std::string, std::string> secrets{};   // secret id -> contents (never recorded)
  bool no_cache = false;
  std::vector<CacheRequest> cache_imports{};  // --cache-from, in order: the first source with a step wins
  std::vector<CacheRequest> cache_exports{};  // --cache-to
};

struct SolveResponse {
  std::string build_ref{};  // the build's id in history
  std::map<std::string, std::string> metadata{};  // "containerimage.digest", "image.name", ...
};

/// An image in the engine's store.
struct ImageSummary {
  std::string name{};        // "docker.io/library/app:1"
  std::string digest{};      // the manifest digest
  std::int64_t size = 0;     // manifest, config and layers, in bytes
  std::int64_t created = 0;  // Unix seconds
};

struct ImageDetails {
  ImageSummary summary{};
  std::string manifest{};  // JSON
  std::string config{};    // JSON
};

struct DiskUsage {
  std::int64_t snapshots = 0;       // count
  std::int64_t snapshot_bytes = 0;
  std::int64_t cache_records = 0;
  std::int64_t blobs = 0;
  std::int64_t blob_bytes = 0;
  std::int64_t reclaimable_bytes = 0;  // what `prune --all` would free
};

struct PruneOptions {
  bool all = false;  // also unpacked base images and blobs nothing refers to, not only step results
  std::optional<std::int64_t> keep_bytes{};   // --keep-storage: stop once at most this is left
  std::optional<std::int64_t> older_than{};   // --filter until=DURATION, in seconds
};

struct PruneResult {
  std::int64_t removed_records = 0;
  std::int64_t reclaimed_bytes = 0;
};

/// One engine. Calls may come from several threads at once.
class Engine {
 public:
  virtual ~Engine() = default;

  /// What the engine is and can do. Errors: unavailable (engine unreachable).
  [[nodiscard]] virtual Result<EngineInfo> info() = 0;

  /// Runs one build: frontend, solve, exports. Progress goes to `progress` as it happens.
  /// Errors: invalid_argument (bad request or input, with a location when it is the user's
  /// file), not_found, cancelled (stop requested), and whatever a failing step returned.
  [[nodiscard]] virtual Result<SolveResponse> solve(const SolveRequest& request, ProgressSink& progress,
                                                    std::stop_token stop) = 0;

  [[nodiscard]] virtual Result<std::vector<ImageSummary>> list_images() = 0;
  /// Errors: not_found.
  [[nodiscard]] virtual Result<ImageDetails> inspect_image(const std::string& name) = 0;
  /// Errors: not_found.
  [[nodiscard]] virtual Status remove_image(const std::string& name) = 0;

  [[nodiscard]] virtual Result<DiskUsage> disk_usage() = 0;
  /// Removes build cache (never what a stored image or a running build uses).
  [[nodiscard]] virtual Result<PruneResult> prune(const PruneOptions& options) = 0;
};

}  // namespace dbuild::sdk
