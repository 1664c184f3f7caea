// plugin.cpp: declares the local cache backend; the logic is in local_cache.cpp.
#include <dbuild/sdk/plugin.hpp>

#include "local_cache.hpp"

namespace {

dbuild::sdk::Result<std::unique_ptr<dbuild::sdk::CacheBackend>> make_local(dbuild::sdk::Host&) {
  return std::make_unique<dbuild::cache_backends::LocalCache>();
}

constexpr dbuild::sdk::OptionSpec kOptions[] = {
    {"dest", dbuild::sdk::OptionType::Path, nullptr, "--cache-to: the directory (an OCI layout) to write", false},
    {"src", dbuild::sdk::OptionType::Path, nullptr, "--cache-from: the directory to read", false},
    {"tag", dbuild::sdk::OptionType::String, "latest", "the cache's tag in index.json", false},
    {"digest", dbuild::sdk::OptionType::String, nullptr, "--cache-from: the root to read, by digest", false},
    {"mode", dbuild::sdk::OptionType::String, "min", "min: the result's steps; max: every step of every stage", false},
    {"compression", dbuild::sdk::OptionType::String, "gzip", "gzip, zstd or uncompressed", false},
    {"compression-level", dbuild::sdk::OptionType::Integer, nullptr, "gzip 1-12, zstd 1-19", false},
    {"force-compression", dbuild::sdk::OptionType::Bool, "false", "recompress layers compressed otherwise", false},
    {"oci-mediatypes", dbuild::sdk::OptionType::Bool, "true", "OCI media types (false: Docker's)", false},
    {"image-manifest", dbuild::sdk::OptionType::Bool, "true", "root: an image manifest (false: an index)", false},
    {"ignore-error", dbuild::sdk::OptionType::Bool, "false", "a failed export is a warning", false},
};

}  // namespace

DBUILD_PLUGIN(dbuild::sdk::Kind::CacheBackend, "local", "Keeps build cache in a directory (an OCI image layout).",
              make_local, kOptions);
