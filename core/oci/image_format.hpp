// image_format.hpp: OCI (and Docker schema 2) manifests, indexes and descriptors as JSON, the
// chain ids of layer stacks, and choosing a platform's manifest from an index.
// Reading is as strict as the image spec's own validation: a field of the wrong type (a size
// written as a string), a digest that is not well-formed (upper-case sha256 hex) or "data" that
// is not padded base64 is refused; unknown fields are ignored.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/descriptor.hpp>
#include <dbuild/sdk/status.hpp>

#include "oci/platform_matcher.hpp"

namespace dbuild::oci {

struct Manifest {
  std::string media_type = sdk::media_type::kOciManifest;
  sdk::Descriptor config{};
  std::vector<sdk::Descriptor> layers{};
  std::map<std::string, std::string> annotations{};
};

struct Index {
  std::string media_type = sdk::media_type::kOciIndex;
  std::vector<sdk::Descriptor> manifests{};
  std::map<std::string, std::string> annotations{};
};

/// True for OCI and Docker index / manifest-list media types.
[[nodiscard]] bool is_index_type(std::string_view media_type);
/// True for OCI and Docker image manifest media types.
[[nodiscard]] bool is_manifest_type(std::string_view media_type);

/// Parses a content descriptor. Errors: invalid_argument, naming the field.
[[nodiscard]] sdk::Result<sdk::Descriptor> parse_descriptor(std::string_view json);
/// Parses a manifest (OCI or Docker schema 2). Errors: invalid_argument, naming the field.
[[nodiscard]] sdk::Result<Manifest> parse_manifest(std::string_view json);
/// Parses an index or manifest list. Errors: invalid_argument.
[[nodiscard]] sdk::Result<Index> parse_index(std::string_view json);
/// The media type a manifest or index document declares, or "" when it declares none.
[[nodiscard]] std::string declared_media_type(std::string_view json);

/// Canonical serialisations (compact, keys sorted), whose sha256 is the document's digest.
[[nodiscard]] std::string to_json(const Manifest& manifest);
[[nodiscard]] std::string to_json(const Index& index);

/// chainID(L0) = diffID(L0); chainID(L0..Ln) = sha256(chainID(L0..Ln-1) + " " + diffID(Ln)).
[[nodiscard]] std::vector<std::string> chain_ids(const std::vector<std::string>& diff_ids);

/// The index entry `matcher` likes best (the first of equals); entries without a platform never
/// match. Empty when none does.
[[nodiscard]] std::optional<std::size_t> select_platform(const Index& index, const PlatformMatcher& matcher);
/// select_platform with PlatformMatcher::only(wanted), as containerd pulls: the wanted platform
/// itself if listed, else the best one it runs (arm/v7 for arm/v8, 386 for amd64, ...).
[[nodiscard]] std::optional<std::size_t> select_platform(const Index& index, const sdk::Platform& wanted);

}  // namespace dbuild::oci
