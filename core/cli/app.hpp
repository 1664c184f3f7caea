// app.hpp: what every command gets: the output streams, the global options, and the services
// main() wired together (created on first use, so `dbuild --help` loads no plugin).
#pragma once

#include <filesystem>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include <dbuild/sdk/engine.hpp>
#include <dbuild/sdk/host.hpp>

#include "plugin/plugin_registry.hpp"
#include "plugin/plugin_search_path.hpp"

namespace dbuild::registry {
class RegistryService;
}

namespace dbuild::cli {

struct GlobalOptions {
  std::string root;    // --root or $DBUILD_ROOT; empty means the default state root
  bool debug = false;  // --debug
  std::size_t max_parallelism = 0;  // --max-parallelism or $DBUILD_MAX_PARALLELISM; 0: the default
};

class App {
 public:
  App(std::ostream& out, std::ostream& err, plugin::SearchEnvironment environment);
  ~App();

  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }
  GlobalOptions& globals() { return globals_; }
  const plugin::SearchEnvironment& environment() const { return environment_; }

  /// The plugin search path this process uses, in order.
  [[nodiscard]] std::vector<std::filesystem::path> plugin_search_path() const;
  /// Loads plugins on first call. Refused plugins are reported by `dbuild plugin ls`.
  plugin::PluginRegistry& plugins();
  sdk::Host& host();
  /// The registry service (the host's): the client configured from dbuild's and Docker's config.
  registry::RegistryService& registry();
  sdk::Logger& logger();

  /// The state root: --root, $DBUILD_ROOT, or the default for this user.
  [[nodiscard]] std::filesystem::path state_root() const;
  /// The engine of the current builder (for now always the local driver's), connected on first
  /// use. Errors: as the driver's connect.
  sdk::Result<sdk::Engine*> engine();

 private:
  std::ostream& out_;
  std::ostream& err_;
  plugin::SearchEnvironment environment_;
  GlobalOptions globals_;
  std::unique_ptr<sdk::Logger> logger_;
  std::unique_ptr<registry::RegistryService> registry_;
  std::unique_ptr<sdk::Host> host_;
  std::unique_ptr<plugin::PluginRegistry> plugins_;
  std::unique_ptr<sdk::Engine> engine_;  // destroyed before the plugins whose code it may hold
};

}  // namespace dbuild::cli
