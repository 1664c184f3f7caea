// host_services.hpp: dbuild's implementation of sdk::Host, the services plugins may use.
// main() builds one and hands it to the plugin registry; it outlives every plugin object.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <ostream>

#include <dbuild/sdk/engine.hpp>
#include <dbuild/sdk/host.hpp>

namespace dbuild::host {

/// Writes "warning: ..." / "debug: ..." lines to a stream, one whole line at a time.
class StreamLogger final : public sdk::Logger {
 public:
  StreamLogger(std::ostream& out, sdk::LogLevel threshold) : out_(out), threshold_(threshold) {}
  void log(sdk::LogLevel level, std::string_view message) override;

 private:
  std::mutex mutex_;
  std::ostream& out_;
  sdk::LogLevel threshold_;
};

class HostServices final : public sdk::Host {
 public:
  using EngineOpener = std::function<sdk::Result<std::unique_ptr<sdk::Engine>>(const sdk::LocalEngineOptions&)>;

  /// `open_engine` creates the in-process engine; null means this host has none. `registry`
  /// outlives the host.
  HostServices(sdk::Logger& logger, sdk::Registry& registry, EngineOpener open_engine);

  [[nodiscard]] std::string_view version() const override;
  [[nodiscard]] sdk::Logger& logger() override { return logger_; }
  [[nodiscard]] sdk::Result<std::unique_ptr<sdk::Engine>> open_local_engine(
      const sdk::LocalEngineOptions& options) override;
  [[nodiscard]] sdk::Registry& registry() override { return registry_; }

 private:
  sdk::Logger& logger_;
  sdk::Registry& registry_;
  EngineOpener open_engine_;
};

}  // namespace dbuild::host
