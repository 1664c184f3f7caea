// build.cpp: one build: check the exporters and cache backends, run the frontend, import cache,
// solve each platform's Definition, export cache, run the exporters (the image exporter names the
// image for -t). Everything it writes is leased until an image refers to it; the lease ends
// with the build.
#include <algorithm>

#include <dbuild/sdk/exporter.hpp>
#include <dbuild/sdk/frontend.hpp>

#include "engine/build_cache.hpp"
#include "engine/build_context.hpp"
#include "engine/build_history.hpp"
#include "engine/engine_step.hpp"
#include "engine/export_targets.hpp"
#include "os/file_lock.hpp"
#include "engine/parts.hpp"
#include "oci/reference.hpp"
#include "oci/sha256.hpp"
#include "plugin/plugin_registry.hpp"
#include "solver/solver.hpp"
#include "worker/local_worker.hpp"

namespace dbuild::engine {
namespace {

namespace fs = std::filesystem;

// The image exporter (-t, --push, type=image|registry) reads the output's image, never its files:
// with no other exporter, an output an imported cache answers may stay there (LazyOutput).
// Other exporters, built in or not, may call ExportSource::rootfs.
LazyOutput lazy_output(const std::vector<ExportTarget>& exporters) {
  const bool images_only = std::all_of(exporters.begin(), exporters.end(),
                                       [](const ExportTarget& target) { return target.type == "image"; });
  return images_only ? LazyOutput::Yes : LazyOutput::No;
}

// The build itself, once the request is known to be sound: what the history records.
sdk::Result<sdk::SolveResponse> run_build(LocalEngine::Parts& parts, const sdk::SolveRequest& request,
                                          sdk::Frontend& frontend, const std::vector<ExportTarget>& exporters,
                                          CacheTargets caches, BuildHistory& history, std::stop_token stop) {
  auto& progress = history.progress();
  // Shared with other builds, exclusive for prune: nothing this build uses is pruned under it.
  auto gc_lock = os::FileLock::acquire(parts.root / "gc.lock", os::LockMode::Shared, os::LockWait::Block);
  if (!gc_lock) return gc_lock.status();
  auto lease = parts.content->create_lease();
  if (!lease) return lease.status();
  const std::string build_id = parts.session->name() + "-b" + std::to_string(parts.next_build++);
  BuildContext build(parts, request, *lease, build_id, progress);
  BuildCache cache(parts, build, *lease, std::move(caches));

  sdk::FrontendRequest frontend_request{request.frontend_options, request.platforms};
  if (frontend_request.platforms.empty()) frontend_request.platforms = {sdk::Platform::host()};
  for (const auto& platform : frontend_request.platforms)
    if (!(platform == sdk::Platform::host()))
      return sdk::Status::unimplemented("--platform " + platform.str() + ": this engine builds for " +
                                        sdk::Platform::host().str() +
                                        " only; other platforms need emulation, which is not supported yet");
  auto frontend_result = frontend.build(frontend_request, build.frontend_context());
  if (!frontend_result) return frontend_result.status();
  sdk::SolveResponse response;
  response.build_ref = history.ref().empty() ? build_id : history.ref();
  // --call=check: the frontend reported its findings as warnings; nothing is built.
  if (auto call = request.frontend_options.find("call"); call != request.frontend_options.end() && call->second == "check")
    return response;
  if (frontend_result->results.empty()) return sdk::Status::invalid_argument("the frontend produced nothing to build");
  if (stop.stop_requested()) return sdk::Status::cancelled("build cancelled");

  cache.import_all(progress, stop);
  for (const auto& result : frontend_result->results) {
    std::vector<solver::StepRecord> steps;
    auto solved = build.solve(result, stop, steps, cache.imported(), lazy_output(exporters));
    history.add_solved(steps);
    if (!solved) return solved;
  }
  (void)parts.checksums->flush();
  if (auto exported = cache.export_all(progress, stop); !exported) return exported;

  for (const auto& target : exporters) {
    EngineStep step(progress, "exporting to " + target.type);
    auto exported = target.exporter->export_result(target.attributes, build.export_source(step, stop));
    if (!exported) {
      if (stop.stop_requested()) return step.finish(sdk::Status::cancelled("build cancelled"));
      return step.finish(exported.status().with_context("exporting to " + target.type));
    }
    history.add_output(target.type, target.attributes, *exported);
    for (const auto& [key, value] : exported->metadata) response.metadata[key] = value;
    (void)step.finish(sdk::Status::ok());
  }
  history.add_exported_bytes(build.exported_bytes());
  return response;
}

}  // namespace

sdk::Result<sdk::SolveResponse> LocalEngine::solve(const sdk::SolveRequest& request, sdk::ProgressSink& progress,
                                                   std::stop_token stop) {
  auto& parts = *parts_;
  if (!parts.executor) return parts.runtime_status;
  auto frontend = parts.plugins.frontends().find(request.frontend);
  if (!frontend) return frontend.status().with_context("--frontend " + request.frontend);
  if (auto status = (*frontend)->check(request.frontend_options); !status) return status;
  auto exporters = check_export_targets(parts.plugins, request);
  if (!exporters) return exporters.status();
  auto caches = cache::check_cache_targets(parts.plugins, request);
  if (!caches) return caches.status();

  BuildHistory history(parts.history.get(), parts.history_status, parts.history_settings, request,
                       parts.session->name(), progress);
  auto response = run_build(parts, request, **frontend, *exporters, std::move(*caches), history, stop);
  history.finish(response.status());
  return response;
}

}  // namespace dbuild::engine
