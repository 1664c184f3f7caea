// export_targets.hpp: a build's -t and --output matched with their exporter plugins and checked,
// before anything runs. The CLI calls this with its own plugins so that a bad flag is a usage
// error (exit 2); the engine calls it again for the targets it uses.
#pragma once

#include <string>
#include <vector>

#include <dbuild/sdk/engine.hpp>
#include <dbuild/sdk/exporter.hpp>

namespace dbuild::plugin {
class PluginRegistry;
}

namespace dbuild::engine {

struct ExportTarget {
  sdk::Exporter* exporter;
  std::string type;
  sdk::Attributes attributes;  // with the -t names for an exporter that takes names
};

/// The exporters of `request`: each --output, and for -t without an exporter that takes names,
/// the image exporter storing the result under them. Errors: invalid_argument (a bad -t),
/// not_found (no such exporter), and the exporter's check() (invalid_argument,
/// permission_denied, not_found, unavailable), each with the flag as context.
[[nodiscard]] sdk::Result<std::vector<ExportTarget>> check_export_targets(plugin::PluginRegistry& plugins,
                                                                         const sdk::SolveRequest& request);

}  // namespace dbuild::engine
