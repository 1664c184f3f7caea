// registry_access.cpp: see registry_access.hpp.
#include "cli/registry_access.hpp"

#include <ostream>
#include <string>

#include <fmt/format.h>

namespace dbuild::cli {

registry::ClientOptions client_options(App& app, registry::HostRules hosts) {
  registry::ClientOptions options;
  options.hosts = std::move(hosts);
  if (app.globals().debug)
    options.on_request = [&app](const registry::RequestRecord& record) {
      app.err() << fmt::format("debug: {} {} -> {}\n", record.method, record.url,
                               record.status ? std::to_string(record.status) : record.error);
    };
  return options;
}

sdk::Status with_registry_hint(sdk::Status status, const std::string& registry) {
  if (status.code() != sdk::Code::Unavailable || !status.hint().empty()) return status;
  return std::move(status).with_hint(fmt::format("check that the registry {} is running and reachable", registry));
}

sdk::Result<std::unique_ptr<RegistryAccess>> RegistryAccess::open(App& app) {
  auto hosts = registry::load_host_rules();
  if (!hosts) return hosts.status();
  std::unique_ptr<RegistryAccess> access(new RegistryAccess());
  access->credentials_ =
      std::make_unique<registry::DockerConfigCredentials>(registry::DockerConfig(registry::docker_config_file()));
  auto options = client_options(app, std::move(*hosts));
  options.credentials = access->credentials_.get();
  access->client_ = std::make_unique<registry::RegistryClient>(std::move(options));
  return access;
}

}  // namespace dbuild::cli
