// plugin.cpp: declares the oci exporter; the logic is in oci_exporter.cpp.
#include <dbuild/sdk/plugin.hpp>

#include "oci_exporter.hpp"

namespace {

dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::Exporter>> make_oci(dbuild::sdk::Host&) {
  return std::make_unique<dbuild::exporters::OciExporter>();
}

constexpr dbuild::sdk::OptionSpec kOptions[] = {
    {"dest", dbuild::sdk::OptionType::Path, nullptr, "the tarball (- for stdout), or a directory with tar=false", true},
    {"tar", dbuild::sdk::OptionType::Bool, "true", "write a tarball; false: a layout directory", false},
    {"name", dbuild::sdk::OptionType::String, nullptr, "image names for the index annotations, comma-separated", false},
    {"compression", dbuild::sdk::OptionType::String, "gzip", "gzip, zstd or uncompressed", false},
    {"compression-level", dbuild::sdk::OptionType::Integer, nullptr, "gzip 1-12, zstd 1-19", false},
    {"force-compression", dbuild::sdk::OptionType::Bool, "false", "recompress layers compressed otherwise", false},
    {"oci-mediatypes", dbuild::sdk::OptionType::Bool, "true", "OCI media types (false: Docker's)", false},
};

}  // namespace

DBUILD_PLUGIN(dbuild::sdk::Kind::Exporter, "oci", "Writes the image as an OCI image layout (tarball or directory).",
              make_oci, kOptions);
