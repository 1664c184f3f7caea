// descriptor.hpp: an OCI content descriptor, the pointer from one blob to another.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <dbuild/sdk/digest.hpp>
#include <dbuild/sdk/platform.hpp>

namespace dbuild::sdk {

/// The media types dbuild reads and writes, as the OCI image spec and Docker's schema 2 spell them.
namespace media_type {
inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kOciLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr const char* kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr const char* kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr const char* kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
}  // namespace media_type

struct Descriptor {
  std::string media_type{};
  Digest digest{};
  std::int64_t size = 0;
  std::map<std::string, std::string> annotations{};
  std::optional<Platform> platform{};

  friend bool operator==(const Descriptor&, const Descriptor&) = default;
};

}  // namespace dbuild::sdk
