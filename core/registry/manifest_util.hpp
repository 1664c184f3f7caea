// manifest_util.hpp (internal): small pieces shared by the manifest and blob code: naming what
// failed, and reading media types and descriptors from registry answers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/descriptor.hpp>
#include <dbuild/sdk/status.hpp>

#include "oci/reference.hpp"
#include "registry/http_transport.hpp"

namespace dbuild::registry {

/// "127.0.0.1:5000/x/app:1" or "127.0.0.1:5000/x/app@sha256:...", for messages.
[[nodiscard]] std::string where_of(const oci::Reference& repository, std::string_view tag_or_digest);

/// The manifest's media type from the Content-Type header, or the document's own mediaType when
/// the header is generic. Errors: invalid_argument (schema 1, or not a manifest or index).
[[nodiscard]] sdk::Result<std::string> manifest_media_type(std::string_view content_type, std::string_view body);

/// The descriptor a HEAD answer gives (Docker-Content-Digest, Content-Type, Content-Length), or
/// nullopt when it does not give all three, or gives a digest other than `asked` (a digest
/// reference), so that GET and verification decide.
[[nodiscard]] std::optional<sdk::Descriptor> descriptor_from_head(const HttpResponse& head, std::string_view asked);

/// True for a layer registries do not hold (foreign, non-distributable): never pushed or mounted.
[[nodiscard]] bool is_foreign(const sdk::Descriptor& blob);

/// The blobs a manifest names (config, layers), or an index names directly (a build cache index
/// lists its records and layers), foreign ones left out: a registry accepts the document only
/// when the repository holds them. Empty for a document that does not parse.
[[nodiscard]] std::vector<sdk::Descriptor> named_blobs(std::string_view media_type, std::string_view bytes);

}  // namespace dbuild::registry
