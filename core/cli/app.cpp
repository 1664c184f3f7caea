// app.cpp: lazy wiring of logger, host services and plugin registry for the commands; the engine
// is opened with the settings of dbuild's config file.
#include "cli/app.hpp"

#include <ostream>

#include "cli/engine_config.hpp"
#include "engine/local_engine.hpp"
#include "host/host_services.hpp"
#include "plugin/plugin_loader.hpp"
#include "registry/registry_hosts.hpp"
#include "registry/registry_service.hpp"
#include "registry/sqlite_blob_locations.hpp"

namespace dbuild::cli {

App::App(std::ostream& out, std::ostream& err, plugin::SearchEnvironment environment)
    : out_(out), err_(err), environment_(std::move(environment)) {}

App::~App() {
  engine_.reset();  // before the registry: the engine holds plugin objects' results
}

std::vector<std::filesystem::path> App::plugin_search_path() const {
  return plugin::plugin_search_path(environment_);
}

sdk::Logger& App::logger() {
  if (!logger_)
    logger_ = std::make_unique<host::StreamLogger>(err_, globals_.debug ? sdk::LogLevel::Debug : sdk::LogLevel::Info);
  return *logger_;
}

sdk::Host& App::host() {
  if (!host_) {
    auto open_engine = [this](const sdk::LocalEngineOptions& options) -> sdk::Result<std::unique_ptr<sdk::Engine>> {
      auto root = options.state_root.empty() ? state_root() : std::filesystem::path(options.state_root);
      // dbuild's config file: the same one the registry service reads its insecure registries from.
      auto settings =
          load_engine_settings(registry::dbuild_config_dir(registry::process_environment()) / "config.json");
      if (!settings) return settings.status();
      settings->max_parallelism = globals_.max_parallelism;
      auto engine = engine::LocalEngine::open(root, plugins(), logger(), *registry_, *settings);
      if (!engine) return engine.status();
      // The engine migrated dbuild.db; the store opens its own connection on first use, so that
      // it may outlive the engine (the registry service does).
      registry_->use_location_store(std::make_unique<registry::SqliteBlobLocations>(
          std::filesystem::absolute(root) / "dbuild.db", [this](const std::string& message) { logger().debug(message); }));
      return std::unique_ptr<sdk::Engine>(std::move(*engine));
    };
    std::function<void(const registry::RequestRecord&)> on_request;
    if (globals_.debug)
      on_request = [this](const registry::RequestRecord& record) {
        logger().debug(record.method + " " + record.url + " -> " +
                       (record.status ? std::to_string(record.status) : record.error));
      };
    registry_ = std::make_unique<registry::RegistryService>(std::move(on_request));
    host_ = std::make_unique<host::HostServices>(logger(), *registry_, open_engine);
  }
  return *host_;
}

registry::RegistryService& App::registry() {
  (void)host();
  return *registry_;
}

std::filesystem::path App::state_root() const {
  if (!globals_.root.empty()) return globals_.root;
  return engine::default_state_root();
}

sdk::Result<sdk::Engine*> App::engine() {
  if (engine_) return engine_.get();
  auto driver = plugins().drivers().find("local");
  if (!driver) return driver.status();
  sdk::DriverConfig config;
  config.builder = "default";
  auto engine = (*driver)->connect(config);
  if (!engine) return engine.status();
  engine_ = std::move(*engine);
  return engine_.get();
}

plugin::PluginRegistry& App::plugins() {
  if (!plugins_) {
    plugins_ = std::make_unique<plugin::PluginRegistry>(host());
    if (!environment_.executable_dir.empty())
      plugin::report_missing_builtins(plugin::builtin_plugin_dir(environment_.executable_dir), *plugins_);
    plugin::load_plugins(plugin_search_path(), *plugins_);
  }
  return *plugins_;
}

}  // namespace dbuild::cli
