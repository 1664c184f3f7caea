// export_targets.cpp: -t and --output matched with exporters and checked (export_targets.hpp).
#include "engine/export_targets.hpp"

#include <algorithm>

#include "oci/reference.hpp"
#include "plugin/plugin_registry.hpp"

namespace dbuild::engine {
namespace {

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

}  // namespace

sdk::Result<std::vector<ExportTarget>> check_export_targets(plugin::PluginRegistry& plugins,
                                                          const sdk::SolveRequest& request) {
  auto tags = normalise_tags(request.tags);
  if (!tags) return tags.status();
  return check_exporters(plugins, request, *tags);
}

}  // namespace dbuild::engine
