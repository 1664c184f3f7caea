// isolated_driver.cpp: picks the builder's own state root and opens the host's engine there.
#include "isolated_driver.hpp"

namespace example {

dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::Engine>> IsolatedDriver::connect(
    const dbuild::sdk::DriverConfig& config) {
  std::string base = "/var/lib/dbuild-isolated";
  if (auto found = config.options.find("base"); found != config.options.end()) base = found->second;
  if (config.builder.empty() || config.builder.find('/') != std::string::npos)
    return dbuild::sdk::Status::invalid_argument("builder name \"" + config.builder + "\" cannot name a directory");

  dbuild::sdk::LocalEngineOptions options;
  options.state_root = base + "/" + config.builder;
  host_.logger().debug("example-isolated: state root " + options.state_root);
  auto engine = host_.open_local_engine(options);
  if (!engine) return engine.status().with_context("opening the engine for builder \"" + config.builder + "\"");
  return engine;
}

}  // namespace example
