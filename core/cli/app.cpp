// app.cpp: lazy wiring of logger, host services and plugin registry for the commands.
#include "cli/app.hpp"

#include <ostream>

#include "host/host_services.hpp"
#include "plugin/plugin_loader.hpp"

namespace dbuild::cli {

App::App(std::ostream& out, std::ostream& err, plugin::SearchEnvironment environment)
    : out_(out), err_(err), environment_(std::move(environment)) {}

App::~App() = default;

std::vector<std::filesystem::path> App::plugin_search_path() const {
  return plugin::plugin_search_path(environment_);
}

sdk::Host& App::host() {
  if (!host_) {
    logger_ = std::make_unique<host::StreamLogger>(err_, globals_.debug ? sdk::LogLevel::Debug : sdk::LogLevel::Info);
    host_ = std::make_unique<host::HostServices>(*logger_, nullptr);
  }
  return *host_;
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
