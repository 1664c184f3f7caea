// plugin.cpp: declares the tar exporter; the logic is in tar_exporter.cpp.
#include <dbuild/sdk/plugin.hpp>

#include "tar_exporter.hpp"

namespace {

dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::Exporter>> make_tar(dbuild::sdk::Host&) {
  return std::make_unique<dbuild::exporters::TarExporter>();
}

constexpr dbuild::sdk::OptionSpec kOptions[] = {
    {"dest", dbuild::sdk::OptionType::Path, nullptr, "the tarball to write; - for stdout", true},
};

}  // namespace

DBUILD_PLUGIN(dbuild::sdk::Kind::Exporter, "tar", "Writes the result's root file system as a tarball.", make_tar,
              kOptions);
