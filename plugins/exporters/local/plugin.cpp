// plugin.cpp: declares the local exporter; the logic is in local_exporter.cpp.
#include <dbuild/sdk/plugin.hpp>

#include "local_exporter.hpp"

namespace {

dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::Exporter>> make_local(dbuild::sdk::Host&) {
  return std::make_unique<dbuild::exporters::LocalExporter>();
}

constexpr dbuild::sdk::OptionSpec kOptions[] = {
    {"dest", dbuild::sdk::OptionType::Path, nullptr, "the directory to write the root file system to", true},
};

}  // namespace

DBUILD_PLUGIN(dbuild::sdk::Kind::Exporter, "local", "Writes the result's root file system into a directory.",
              make_local, kOptions);
