// attributes.cpp: the shared attribute readers (attributes.hpp).
#include <dbuild/sdk/attributes.hpp>

#include <string>

namespace dbuild::sdk {

Result<bool> bool_attribute(const Attributes& attributes, const char* name, bool fallback) {
  auto found = attributes.find(name);
  if (found == attributes.end()) return fallback;
  if (found->second == "true" || found->second.empty()) return true;
  if (found->second == "false") return false;
  return Status::invalid_argument(std::string(name) + "=" + found->second + ": want true or false");
}

Result<ImageOptions> image_options(const Attributes& attributes, bool oci_default) {
  ImageOptions options;
  if (auto found = attributes.find("compression"); found != attributes.end()) options.compression = found->second;
  if (options.compression != "gzip" && options.compression != "zstd" && options.compression != "uncompressed")
    return Status::invalid_argument("compression=" + options.compression + ": want gzip, zstd or uncompressed");
  if (auto found = attributes.find("compression-level"); found != attributes.end()) {
    try {
      options.compression_level = std::stoi(found->second);
    } catch (...) {
      return Status::invalid_argument("compression-level=" + found->second + ": want a number");
    }
  }
  auto force = bool_attribute(attributes, "force-compression", false);
  if (!force) return force.status();
  options.force_compression = *force;
  // zstd layers exist only with OCI media types: BuildKit turns them on for it unless told not to.
  auto oci = bool_attribute(attributes, "oci-mediatypes", oci_default || options.compression == "zstd");
  if (!oci) return oci.status();
  options.oci_mediatypes = *oci;
  if (!options.oci_mediatypes && options.compression == "zstd")
    return Status::invalid_argument("compression=zstd needs oci-mediatypes=true");
  return options;
}

}  // namespace dbuild::sdk
