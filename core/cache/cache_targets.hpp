// cache_targets.hpp: a build's --cache-from and --cache-to matched with their backend plugins and
// checked, before anything runs. The CLI calls this with its own plugins so that a bad flag is a
// usage error (exit 2); the engine calls it again for the targets it uses.
#pragma once

#include <string>
#include <vector>

#include <dbuild/sdk/cache_backend.hpp>
#include <dbuild/sdk/engine.hpp>

namespace dbuild::plugin {
class PluginRegistry;
}

namespace dbuild::cache {

struct CacheTarget {
  sdk::CacheBackend* backend = nullptr;
  std::string type;
  sdk::Attributes attributes;  // without the engine's own ignore-error=
  bool ignore_error = false;   // --cache-to ...,ignore-error=true: a failed export is a warning
};

struct CacheTargets {
  std::vector<CacheTarget> imports;
  std::vector<CacheTarget> exports;
};

/// "type=local,src=/x": the flag's value (attributes in name order), for messages.
[[nodiscard]] std::string describe(const CacheTarget& target);

/// Finds and checks the backend of every --cache-from and --cache-to. Errors: not_found (no
/// such backend), and the backend's check() (invalid_argument, permission_denied, unimplemented),
/// each with the flag as context.
[[nodiscard]] sdk::Result<CacheTargets> check_cache_targets(plugin::PluginRegistry& plugins,
                                                            const sdk::SolveRequest& request);

}  // namespace dbuild::cache
