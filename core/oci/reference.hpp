// reference.hpp: image references ("alpine", "docker.io/library/alpine:3.20", "reg:5000/x/y@sha256:...")
// parsed and normalised as Docker's distribution/reference does: a missing registry means
// docker.io, a one-component Docker Hub path means library/, a missing tag means latest.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <dbuild/sdk/status.hpp>

namespace dbuild::oci {

struct Reference {
  std::string domain;  // "docker.io", "localhost:5000"
  std::string path;    // "library/alpine"
  std::string tag;     // "3.20"; empty when only a digest was given
  std::string digest;  // "sha256:..."; may be empty

  /// "docker.io/library/alpine:3.20", with "@digest" when there is one.
  [[nodiscard]] std::string str() const;
  /// "docker.io/library/alpine" (no tag or digest).
  [[nodiscard]] std::string name() const { return domain + "/" + path; }
  /// The shortest form Docker shows: "alpine:3.20", "reg:5000/x/y:1".
  [[nodiscard]] std::string familiar() const;
};

/// Parses and normalises `text`, adding ":latest" when neither tag nor digest is given.
/// Errors: invalid_argument ("invalid reference format", with details), as Docker says it.
[[nodiscard]] sdk::Result<Reference> parse_reference(std::string_view text);

}  // namespace dbuild::oci
