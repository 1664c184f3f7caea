// plugin.cpp: declares the local driver; the logic is in local_driver.cpp.
#include <dbuild/sdk/plugin.hpp>

#include "local_driver.hpp"

namespace {

dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::Driver>> make_local(dbuild::sdk::Host& host) {
  return std::make_unique<dbuild::drivers::LocalDriver>(host);
}

constexpr dbuild::sdk::OptionSpec kOptions[] = {
    {"root", dbuild::sdk::OptionType::Path, nullptr, "state root for this builder (default: dbuild's own)", false},
};

}  // namespace

DBUILD_PLUGIN(dbuild::sdk::Kind::Driver, "local", "Runs the engine inside the dbuild process (no daemon).",
              make_local, kOptions);
