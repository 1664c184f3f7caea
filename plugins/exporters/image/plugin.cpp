// plugin.cpp: declares the image exporter; the logic is in image_exporter.cpp.
#include <dbuild/sdk/plugin.hpp>

#include "image_exporter.hpp"

namespace {

dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::Exporter>> make_image(dbuild::sdk::Host& host) {
  return std::make_unique<dbuild::exporters::ImageExporter>(host.registry());
}

constexpr dbuild::sdk::OptionSpec kOptions[] = {
    {"name", dbuild::sdk::OptionType::String, nullptr, "image names, comma-separated (-t gives them)", false},
    {"store", dbuild::sdk::OptionType::Bool, "true", "name the image in the local image store", false},
    {"push", dbuild::sdk::OptionType::Bool, "false", "push the image to the registry of each name", false},
    {"push-by-digest", dbuild::sdk::OptionType::Bool, "false", "push without a tag (NAME@DIGEST)", false},
    {"compression", dbuild::sdk::OptionType::String, "gzip", "pushed layers: gzip, zstd or uncompressed", false},
    {"compression-level", dbuild::sdk::OptionType::Integer, nullptr, "gzip 1-12, zstd 1-19", false},
    {"force-compression", dbuild::sdk::OptionType::Bool, "false", "recompress layers compressed otherwise", false},
    {"oci-mediatypes", dbuild::sdk::OptionType::Bool, "false", "OCI media types (default: Docker's)", false},
};

}  // namespace

DBUILD_PLUGIN(dbuild::sdk::Kind::Exporter, "image",
              "Names the image in the local image store and pushes it to registries (--push, type=registry).",
              make_image, kOptions);
