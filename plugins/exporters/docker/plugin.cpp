// plugin.cpp: declares the docker exporter; the logic is in docker_exporter.cpp.
#include <dbuild/sdk/plugin.hpp>

#include "docker_exporter.hpp"

namespace {

dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::Exporter>> make_docker(dbuild::sdk::Host&) {
  return std::make_unique<dbuild::exporters::DockerExporter>();
}

constexpr dbuild::sdk::OptionSpec kOptions[] = {
    {"dest", dbuild::sdk::OptionType::Path, nullptr, "the tarball (- for stdout); none: load into the Docker engine", false},
    {"name", dbuild::sdk::OptionType::String, nullptr, "image names (RepoTags), comma-separated", false},
    {"compression", dbuild::sdk::OptionType::String, "gzip", "gzip or uncompressed", false},
    {"compression-level", dbuild::sdk::OptionType::Integer, nullptr, "gzip 1-12", false},
    {"force-compression", dbuild::sdk::OptionType::Bool, "false", "recompress layers compressed otherwise", false},
    {"oci-mediatypes", dbuild::sdk::OptionType::Bool, "false", "OCI media types (default: Docker's)", false},
};

}  // namespace

DBUILD_PLUGIN(dbuild::sdk::Kind::Exporter, "docker", "Writes a docker-load tarball, or loads the image into Docker.",
              make_docker, kOptions);
