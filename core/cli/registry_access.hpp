// registry_access.hpp: what commands that reach registries share: client options with --debug
// logs of requests, and the hint for a registry that cannot be reached. The configured client
// itself is App::registry().client().
#pragma once

#include <string>

#include <dbuild/sdk/status.hpp>

#include "cli/app.hpp"
#include "registry/registry_client.hpp"

namespace dbuild::cli {

/// Client options with `hosts` and, under --debug, one line per request on stderr.
[[nodiscard]] registry::ClientOptions client_options(App& app, registry::HostRules hosts);

/// `status` with a hint to check that `registry` is up, when it is unavailable and has no hint.
[[nodiscard]] sdk::Status with_registry_hint(sdk::Status status, const std::string& registry);

}  // namespace dbuild::cli
