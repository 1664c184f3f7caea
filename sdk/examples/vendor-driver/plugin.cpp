// plugin.cpp: declares the example-isolated driver; the logic is in isolated_driver.cpp.
#include <dbuild/sdk/plugin.hpp>

#include "isolated_driver.hpp"

namespace {

dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::Driver>> make_isolated(dbuild::sdk::Host& host) {
  return std::make_unique<example::IsolatedDriver>(host);
}

constexpr dbuild::sdk::OptionSpec kOptions[] = {
    {"base", dbuild::sdk::OptionType::Path, "/var/lib/dbuild-isolated", "directory holding one state root per builder",
     false},
};

}  // namespace

DBUILD_PLUGIN(dbuild::sdk::Kind::Driver, "example-isolated", "Gives every builder its own state root (SDK example).",
              make_isolated, kOptions);
