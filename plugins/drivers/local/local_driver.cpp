// local_driver.cpp: hands out the host's in-process engine.
#include "local_driver.hpp"

namespace dbuild::drivers {

sdk::Result<std::unique_ptr<sdk::Engine>> LocalDriver::connect(const sdk::DriverConfig& config) {
  if (!config.endpoint.empty())
    return sdk::Status::invalid_argument("the local driver takes no endpoint (it runs the engine in this process)");
  sdk::LocalEngineOptions options;
  if (auto root = config.options.find("root"); root != config.options.end()) options.state_root = root->second;
  return host_.open_local_engine(options);
}

}  // namespace dbuild::drivers
