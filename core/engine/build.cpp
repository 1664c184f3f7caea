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

struct ExportTarget {
  sdk::Exporter* exporter;
  std::string type;
  sdk::Attributes attributes;
};

// An exporter that names images (it declares a "name" option) gets the -t names unless the
// --output gave its own, as buildx passes them.
bool takes_names(const plugin::PluginRegistry& plugins, const std::string& type) {
  for (const auto& entry : plugins.entries())
    if (entry.kind == "exporter" && entry.name == type && entry.state == plugin::PluginState::Loaded)
      for (const auto& option : entry.options)
        if (option.name == "name") return true;
  return false;
}

// --output type=registry is the image exporter with push=true, as in BuildKit. -t names go to the
// exporters that take names; when none does, the image exporter stores the result under them (the
// local driver's default, as `docker build -t` does).
sdk::Result<std::vector<ExportTarget>> check_exporters(plugin::PluginRegistry& plugins, const sdk::SolveRequest& request,
                                                       const std::vector<std::string>& tags) {
  std::vector<sdk::ExportRequest> requests = request.exports;
  for (auto& export_request : requests)
    if (export_request.type == "registry") {
      export_request.type = "image";
      export_request.attributes.emplace("push", "true");
    }
  const bool named = std::any_of(requests.begin(), requests.end(),
                                 [&](const sdk::ExportRequest& r) { return takes_names(plugins, r.type); });
  if (!tags.empty() && !named) requests.push_back({"image", {}});
  std::vector<ExportTarget> targets;
  for (const auto& export_request : requests) {
    const std::string flag = request.exports.empty() ? "-t" : "--output type=" + export_request.type;
    auto exporter = plugins.exporters().find(export_request.type);
    if (!exporter) return exporter.status().with_context(flag);
    ExportTarget target{*exporter, export_request.type, export_request.attributes};
    if (!tags.empty() && !target.attributes.count("name") && takes_names(plugins, target.type)) {
      std::string names;
      for (const auto& tag : tags) names += (names.empty() ? "" : ",") + tag;
      target.attributes["name"] = names;
    }
    if (auto status = (*exporter)->check(target.attributes); !status) return status.with_context(flag);
    targets.push_back(std::move(target));
  }
  return targets;
}

sdk::Result<std::vector<std::string>> normalise_tags(const std::vector<std::string>& tags) {
  std::vector<std::string> names;
  for (const auto& tag : tags) {
    auto reference = oci::parse_reference(tag);
    if (!reference) return reference.status().with_context("-t " + tag);
    if (!reference->digest.empty()) return sdk::Status::invalid_argument("-t " + tag + ": a tag cannot hold a digest");
    names.push_back(reference->str());
  }
  return names;
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
    auto solved = build.solve(result, stop, steps, cache.imported());
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
  auto tags = normalise_tags(request.tags);
  if (!tags) return tags.status();
  auto exporters = check_exporters(parts.plugins, request, *tags);
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
