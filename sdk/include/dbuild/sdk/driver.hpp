// driver.hpp: the driver plugin interface. A driver decides where the engine runs (in this
// process, in a container, on a remote host, in a Kubernetes pod) and connects the CLI to it.
//
// Example: a driver that reaches an engine the vendor runs elsewhere.
//
//   class MyDriver final : public dbuild::sdk::Driver {
//    public:
//     dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::Engine>> connect(
//         const dbuild::sdk::DriverConfig& config) override {
//       if (config.endpoint.empty()) return dbuild::sdk::Status::invalid_argument("endpoint is required");
//       return std::make_unique<MyEngineClient>(config.endpoint);
//     }
//   };
#pragma once

#include <memory>
#include <string>

#include <dbuild/sdk/engine.hpp>
#include <dbuild/sdk/options.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {

/// A builder instance as the user configured it (`dbuild builder create --driver NAME ...`).
struct DriverConfig {
  std::string builder{};     // the builder's name, e.g. "default"
  std::string endpoint{};    // driver-specific address; empty for the local driver
  Attributes options{};      // --driver-opt key=value, checked against the plugin's schema
};

class Driver {
 public:
  virtual ~Driver() = default;

  /// Connects to the engine of `config`, starting it first if this driver manages its
  /// lifetime. Errors: unavailable (cannot reach or start it), invalid_argument (bad options),
  /// permission_denied. Thread-safe.
  [[nodiscard]] virtual Result<std::unique_ptr<Engine>> connect(const DriverConfig& config) = 0;
};

}  // namespace dbuild::sdk
