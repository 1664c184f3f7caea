// imagetools_index.hpp: how `dbuild imagetools create` assembles an index from the manifests its
// sources name: --annotation parsing, duplicate checks, the media type (OCI index, or a Docker
// manifest list when every entry is a Docker manifest, as buildx chooses), and the bytes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <dbuild/sdk/digest.hpp>
#include <dbuild/sdk/platform.hpp>
#include <dbuild/sdk/status.hpp>

#include "oci/reference.hpp"

namespace dbuild::cli::imagetools {

/// One manifest for the new index: its descriptor as JSON (so that fields dbuild does not model,
/// such as os.features, urls or artifactType, pass through), and where it lives now.
struct Entry {
  nlohmann::json descriptor;   // mediaType, digest, size, platform, annotations, ...
  oci::Reference repository;   // the source's repository (its tag and digest do not matter)
  std::string source;          // the source as the user gave it, for messages
};

/// --annotation [TYPE[PLATFORMS]:]KEY=VALUE. TYPE is `index` (the default) or
/// `manifest-descriptor` (the index's entries, optionally only those of the bracketed,
/// comma-separated platforms). `manifest` and `index-descriptor` are refused: create does not
/// rewrite manifests, and writes no layout.
struct Annotation {
  enum class Target { Index, ManifestDescriptor };
  Target target = Target::Index;
  std::vector<sdk::Platform> platforms;  // empty: every entry
  std::string key;
  std::string value;
};
/// Errors: invalid_argument, quoting the flag's value.
[[nodiscard]] sdk::Result<Annotation> parse_annotation(std::string_view text);

struct IndexDocument {
  std::string bytes;  // compact JSON with sorted keys, as dbuild writes every document
  std::string media_type;
  sdk::Digest digest;
};

/// The index naming `entries` in order. The same digest twice is kept once; two entries for one
/// platform are an error, except attestation manifests (unknown/unknown). Errors:
/// invalid_argument (duplicate platforms, an entry without a platform, an annotation for a
/// platform no entry has).
[[nodiscard]] sdk::Result<IndexDocument> assemble_index(const std::vector<Entry>& entries,
                                                        const std::vector<Annotation>& annotations);

/// "linux/arm64/v8"-style platform of a descriptor's JSON, normalised; empty when it has none.
[[nodiscard]] std::optional<sdk::Platform> platform_of(const nlohmann::json& descriptor);

}  // namespace dbuild::cli::imagetools
