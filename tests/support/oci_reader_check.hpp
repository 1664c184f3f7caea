// oci_reader_check.hpp: dbuild's own strict reader for a document of an OCI or Docker media type,
// for tests that judge documents the way the image spec's tests do. Header-only: include it only
// from test binaries that link dbuild_oci.
#pragma once

#include <string>

#include "oci/image_config.hpp"
#include "oci/image_format.hpp"

namespace dbuild::test {

/// "" when dbuild's reader for `media_type` accepts `document`, else its error. dbuild never reads
/// an oci-layout header, so there is nothing to refuse one.
inline std::string refusal_by_dbuild_reader(const std::string& media_type, const std::string& document) {
  auto why = [](const auto& result) { return result ? std::string() : result.status().message(); };
  if (media_type == "application/vnd.oci.descriptor.v1+json") return why(oci::parse_descriptor(document));
  if (media_type == "application/vnd.oci.layout.header.v1+json") return "";
  if (oci::is_manifest_type(media_type)) return why(oci::parse_manifest(document));
  if (oci::is_index_type(media_type)) return why(oci::parse_index(document));
  return why(oci::parse_config(document));
}

}  // namespace dbuild::test
