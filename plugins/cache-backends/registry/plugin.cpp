// plugin.cpp: declares the registry cache backend; the logic is in registry_cache.cpp.
#include <dbuild/sdk/host.hpp>
#include <dbuild/sdk/plugin.hpp>

#include "registry_cache.hpp"

namespace {

dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::CacheBackend>> make_registry(dbuild::sdk::Host& host) {
  return std::make_unique<dbuild::cache_backends::RegistryCache>(host.registry());
}

constexpr dbuild::sdk::OptionSpec kOptions[] = {
    {"ref", dbuild::sdk::OptionType::String, nullptr, "the cache's reference (REG/REPO:TAG), or an image with inline cache", true},
    {"mode", dbuild::sdk::OptionType::String, "min", "min: the result's steps; max: every step of every stage", false},
    {"compression", dbuild::sdk::OptionType::String, "gzip", "gzip, zstd or uncompressed", false},
    {"compression-level", dbuild::sdk::OptionType::Integer, nullptr, "gzip 1-12, zstd 1-19", false},
    {"force-compression", dbuild::sdk::OptionType::Bool, "false", "recompress layers compressed otherwise", false},
    {"oci-mediatypes", dbuild::sdk::OptionType::Bool, "true", "OCI media types (false: Docker's)", false},
    {"image-manifest", dbuild::sdk::OptionType::Bool, "true", "push an image manifest (false: an index)", false},
    {"ignore-error", dbuild::sdk::OptionType::Bool, "false", "a failed export is a warning", false},
};

}  // namespace

DBUILD_PLUGIN(dbuild::sdk::Kind::CacheBackend, "registry", "Keeps build cache in a registry, or reads an image's inline cache.",
              make_registry, kOptions);
