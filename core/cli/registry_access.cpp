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

}  // namespace dbuild::cli
