// registry_access.hpp: the registry client as commands use it: the insecure-registry and TLS
// rules from dbuild's config, logins from Docker's config.json, and --debug logs of requests.
#pragma once

#include <memory>
#include <string>

#include <dbuild/sdk/status.hpp>

#include "cli/app.hpp"
#include "registry/docker_config.hpp"
#include "registry/registry_client.hpp"

namespace dbuild::cli {

/// Client options with `hosts` and, under --debug, one line per request on stderr.
[[nodiscard]] registry::ClientOptions client_options(App& app, registry::HostRules hosts);

/// `status` with a hint to check that `registry` is up, when it is unavailable and has no hint.
[[nodiscard]] sdk::Status with_registry_hint(sdk::Status status, const std::string& registry);

/// A client that logs in with Docker's stored credentials. Owns what the client borrows.
class RegistryAccess {
 public:
  /// Errors: a malformed dbuild config file (insecure registries), naming it.
  [[nodiscard]] static sdk::Result<std::unique_ptr<RegistryAccess>> open(App& app);

  registry::RegistryClient& client() { return *client_; }

 private:
  RegistryAccess() = default;
  std::unique_ptr<registry::DockerConfigCredentials> credentials_;
  std::unique_ptr<registry::RegistryClient> client_;
};

}  // namespace dbuild::cli
