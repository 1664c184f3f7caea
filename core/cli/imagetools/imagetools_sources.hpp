// imagetools_sources.hpp: the sources of `dbuild imagetools create`: what the user typed
// (a reference, a bare digest, or a -f file with a JSON descriptor), the repository each lives
// in, and the manifests each contributes, with platforms read from image configs when the
// source does not state them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <dbuild/sdk/status.hpp>

#include "cli/imagetools/imagetools_index.hpp"
#include "oci/reference.hpp"
#include "registry/registry_client.hpp"

namespace dbuild::cli::imagetools {

/// A reference typed by the user. Errors: invalid_argument `invalid reference "TEXT": WHY`.
[[nodiscard]] sdk::Result<oci::Reference> parse_user_reference(std::string_view text);

struct SourceSpec {
  std::string text;                          // as given, for messages
  std::optional<oci::Reference> reference;  // unset: a digest in the default repository
  std::string digest;                        // a bare digest's or a descriptor's; may be empty
  nlohmann::json descriptor;                 // from a -f file: fields merged into the entry; else null
};

/// Parses a source argument, or the contents of a -f file. Errors: invalid_argument.
[[nodiscard]] sdk::Result<SourceSpec> parse_source(std::string_view text);

/// Gives every source a repository: a bare digest or descriptor lives in the first tag's
/// repository, else in the first named source's. Errors: invalid_argument when there is none.
[[nodiscard]] sdk::Status bind_repositories(std::vector<SourceSpec>& sources, const std::vector<oci::Reference>& tags);

struct ResolvedSource {
  std::string text;
  oci::Reference reference;
  registry::FetchedManifest root;
  std::vector<Entry> entries;  // an index's manifests, or the manifest itself
};

/// Fetches the source and what it contributes. Errors: the client's (not_found naming the
/// reference, unavailable), invalid_argument (not an image: a config of another media type, or
/// without os and architecture).
[[nodiscard]] sdk::Result<ResolvedSource> resolve_source(registry::RegistryClient& client, const SourceSpec& source);

}  // namespace dbuild::cli::imagetools
