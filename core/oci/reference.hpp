// reference.hpp: image references ("alpine", "docker.io/library/alpine:3.20", "reg:5000/x/y@sha256:...")
// as Docker's distribution/reference reads them: the bare grammar, or normalised for Docker Hub (a
// missing registry means docker.io, a one-component Docker Hub path means library/).
#pragma once

#include <string>
#include <string_view>

#include <dbuild/sdk/status.hpp>

namespace dbuild::oci {

struct Reference {
  std::string domain;  // "docker.io", "localhost:5000"; empty when none was written (grammar only)
  std::string path;    // "library/alpine"; empty for a digest-only reference
  std::string tag;     // "3.20"; may be empty
  std::string digest;  // "sha256:..."; may be empty

  /// "docker.io/library/alpine:3.20", with "@digest" when there is one; just the digest for a
  /// digest-only reference.
  [[nodiscard]] std::string str() const;
  /// The repository: "docker.io/library/alpine" (no tag or digest), or the path alone without a domain.
  [[nodiscard]] std::string name() const;
  /// The repository as Docker shows it: "alpine", "library/foo/bar", "reg:5000/x/y".
  [[nodiscard]] std::string familiar_name() const;
  /// familiar_name() with the tag and digest: "alpine:3.20", "reg:5000/x/y:1".
  [[nodiscard]] std::string familiar() const;
  /// True for a reference that is only a digest ("sha256:..."), as parse_any_reference gives.
  [[nodiscard]] bool digest_only() const { return path.empty() && !digest.empty(); }
};

// Errors of all the parsers below: invalid_argument, whose message is distribution/reference's own
// ("invalid reference format", "repository name must be lowercase", "unsupported digest
// algorithm", ...), with the input as context. Only sha256 digests are usable: other algorithms
// that fit the grammar are "unsupported digest algorithm".

/// The grammar alone ([domain[:port]/]path[:tag][@digest]), no normalisation: the first component
/// is a domain only when more follow and it reads as a host name, an IP address or [IPv6].
[[nodiscard]] sdk::Result<Reference> parse_unnormalized(std::string_view text);

/// A repository name alone (no tag, no digest), no normalisation (distribution's WithName).
[[nodiscard]] sdk::Result<Reference> parse_repository_name(std::string_view text);

/// Normalised as `docker pull` reads it (ParseNormalizedNamed): docker.io and library/ added,
/// index.docker.io read as docker.io; the first component is a registry only when more follow and
/// it holds '.' or ':', is "localhost", or has an upper-case letter. No tag is added.
[[nodiscard]] sdk::Result<Reference> parse_normalized_named(std::string_view text);

/// A digest alone (64 hex digits, or "sha256:" and them) is a digest-only reference; anything
/// else is parse_normalized_named (ParseAnyReference).
[[nodiscard]] sdk::Result<Reference> parse_any_reference(std::string_view text);

/// parse_normalized_named, then ":latest" when there is neither tag nor digest; with both, the
/// tag is dropped (ParseDockerRef: what a pull by that reference fetches).
[[nodiscard]] sdk::Result<Reference> parse_docker_ref(std::string_view text);

/// What dbuild uses for image names (-t, FROM, the image store): parse_normalized_named, then
/// ":latest" when there is neither tag nor digest; both are kept when both are given. A name
/// that normalises without a registry (possible only through odd first components) is refused.
[[nodiscard]] sdk::Result<Reference> parse_reference(std::string_view text);

}  // namespace dbuild::oci
