// image_format.hpp: OCI (and Docker schema 2) manifests, indexes and descriptors as JSON, the
// chain ids of layer stacks, and choosing a platform's manifest from an index.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/descriptor.hpp>
#include <dbuild/sdk/status.hpp>

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

/// The index entry for `wanted`: the same os and architecture, and a variant that matches (or,
/// for arm, the best lower one, as containerd chooses: v8 runs v7, v7 runs v6...); entries
/// without a platform never match. Empty when none does.
[[nodiscard]] std::optional<std::size_t> select_platform(const Index& index, const sdk::Platform& wanted);

}  // namespace dbuild::oci
