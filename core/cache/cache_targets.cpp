// cache_targets.cpp: checking --cache-from and --cache-to against the backends (cache_targets.hpp).
#include "cache/cache_targets.hpp"

#include <dbuild/sdk/attributes.hpp>

#include "plugin/plugin_registry.hpp"

namespace dbuild::cache {
namespace {

sdk::Result<CacheTarget> check_target(plugin::PluginRegistry& plugins, const sdk::CacheRequest& request,
                                      sdk::CacheDirection direction) {
  const std::string flag = direction == sdk::CacheDirection::Import ? "--cache-from" : "--cache-to";
  auto backend = plugins.cache_backends().find(request.type);
  if (!backend) return backend.status().with_context(flag + " type=" + request.type);
  CacheTarget target{*backend, request.type, request.attributes, false};
  if (direction == sdk::CacheDirection::Export) {
    auto ignore = sdk::bool_attribute(target.attributes, "ignore-error", false);
    if (!ignore) return ignore.status().with_context(flag + " " + describe(target));
    target.ignore_error = *ignore;
    target.attributes.erase("ignore-error");
  }
  if (auto status = target.backend->check(target.attributes, direction); !status)
    return status.with_context(flag + " " + describe(target));
  return target;
}

}  // namespace

std::string describe(const CacheTarget& target) {
  std::string text = "type=" + target.type;
  for (const auto& [key, value] : target.attributes) text += "," + key + "=" + value;
  return text;
}

sdk::Result<CacheTargets> check_cache_targets(plugin::PluginRegistry& plugins, const sdk::SolveRequest& request) {
  CacheTargets targets;
  for (const auto& import : request.cache_imports) {
    auto target = check_target(plugins, import, sdk::CacheDirection::Import);
    if (!target) return target.status();
    targets.imports.push_back(std::move(*target));
  }
  for (const auto& export_request : request.cache_exports) {
    auto target = check_target(plugins, export_request, sdk::CacheDirection::Export);
    if (!target) return target.status();
    targets.exports.push_back(std::move(*target));
  }
  return targets;
}

}  // namespace dbuild::cache
