// isolated_driver.hpp: an example vendor driver. Each builder gets its own state root under a
// base directory, so builders never share cache or images; the engine itself is the host's.
#pragma once

#include <string>

#include <dbuild/sdk/driver.hpp>
#include <dbuild/sdk/host.hpp>

namespace example {

class IsolatedDriver final : public dbuild::sdk::Driver {
 public:
  explicit IsolatedDriver(dbuild::sdk::Host& host) : host_(host) {}

  dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::Engine>> connect(const dbuild::sdk::DriverConfig& config) override;

 private:
  dbuild::sdk::Host& host_;
};

}  // namespace example
