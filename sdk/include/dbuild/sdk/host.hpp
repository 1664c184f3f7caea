// host.hpp: the services dbuild hands to plugins. Plugins reach the rest of dbuild only through
// these interfaces; the host implements them and outlives every plugin object it creates.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {

class Engine;
class Registry;

enum class LogLevel : std::uint8_t { Debug, Info, Warning, Error };

/// Where plugins write diagnostics. The host decides what is shown (`--debug` shows Debug).
/// Thread-safe.
class Logger {
 public:
  virtual ~Logger() = default;
  virtual void log(LogLevel level, std::string_view message) = 0;

  void debug(std::string_view message) { log(LogLevel::Debug, message); }
  void info(std::string_view message) { log(LogLevel::Info, message); }
  void warn(std::string_view message) { log(LogLevel::Warning, message); }
};

/// Options for the engine that runs inside the calling process.
struct LocalEngineOptions {
  std::string state_root{};  // empty: the host's default (--root, DBUILD_ROOT, /var/lib/dbuild)
};

/// The services of the host. One instance per process, created before any plugin and destroyed
/// after the last plugin object. New services are appended at the end (an ABI minor bump).
class Host {
 public:
  virtual ~Host() = default;

  /// The host's version, e.g. "0.1.0".
  [[nodiscard]] virtual std::string_view version() const = 0;
  [[nodiscard]] virtual Logger& logger() = 0;

  /// Opens the engine in this process, as the local driver does. The engine holds the state
  /// root open until it is destroyed. Errors: permission_denied or unavailable (state root not
  /// writable, database locked), failed_precondition (no container runtime).
  [[nodiscard]] virtual Result<std::unique_ptr<Engine>> open_local_engine(const LocalEngineOptions& options) = 0;

  /// Pulls from and pushes to registries with the user's logins and TLS rules
  /// (<dbuild/sdk/registry.hpp>). Since ABI 1.1.
  [[nodiscard]] virtual Registry& registry() = 0;
};

}  // namespace dbuild::sdk
