// local_driver.hpp: the local driver: the engine runs inside the dbuild process itself, so
// `dbuild build` needs no daemon. The engine comes from the host (sdk::Host::open_local_engine).
#pragma once

#include <dbuild/sdk/driver.hpp>
#include <dbuild/sdk/host.hpp>

namespace dbuild::drivers {

class LocalDriver final : public sdk::Driver {
 public:
  explicit LocalDriver(sdk::Host& host) : host_(host) {}

  [[nodiscard]] sdk::Result<std::unique_ptr<sdk::Engine>> connect(const sdk::DriverConfig& config) override;

 private:
  sdk::Host& host_;
};

}  // namespace dbuild::drivers
