// build_cache.hpp: a build's --cache-from and --cache-to. The backends are checked before the
// build; imports are read after the frontend, before solving (a source that cannot be used is a
// warning: the build runs without it); exports run after solving and before the exporters, so
// that inline records reach the image config before an exporter makes the image.
#pragma once

#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include <dbuild/sdk/cache_backend.hpp>
#include <dbuild/sdk/engine.hpp>

#include "cache/cache_targets.hpp"
#include "engine/local_engine.hpp"

namespace dbuild::cache {
class ImportedRecords;
}
namespace dbuild::content {
class Lease;
}

namespace dbuild::engine {

class BuildContext;

using cache::CacheTarget;
using cache::CacheTargets;

class BuildCache {
 public:
  BuildCache(LocalEngine::Parts& parts, BuildContext& build, const content::Lease& lease, CacheTargets targets);
  ~BuildCache();
  BuildCache(const BuildCache&) = delete;
  BuildCache& operator=(const BuildCache&) = delete;

  /// Reads every --cache-from, each as a step of its own; one that fails is a warning.
  void import_all(sdk::ProgressSink& progress, std::stop_token stop);
  /// What the solver asks when its own cache misses; null when nothing was imported.
  [[nodiscard]] cache::ImportedRecords* imported();

  /// Runs every --cache-to, each as a step. Errors: the first failed export (unless it asked
  /// for ignore-error), with "exporting cache to TYPE" as context.
  [[nodiscard]] sdk::Status export_all(sdk::ProgressSink& progress, std::stop_token stop);

 private:
  class ExportView;
  LocalEngine::Parts& parts_;
  BuildContext& build_;
  const content::Lease& lease_;
  CacheTargets targets_;
  std::unique_ptr<cache::ImportedRecords> imported_;
};

}  // namespace dbuild::engine
