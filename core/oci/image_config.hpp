// image_config.hpp: reading an image config (OCI or Docker), as strictly as the image spec's own
// validation reads one: every field the spec defines must have its type, times must be RFC 3339
// and every Env entry must be NAME=value. Only what dbuild uses is kept.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/platform.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::oci {

struct ImageConfig {
  sdk::Platform platform{};             // os, architecture, variant, os.version, os.features
  std::vector<std::string> diff_ids{};  // rootfs.diff_ids, bottom layer first
};

/// Parses an image config. Errors: invalid_argument, naming the field ("config.Env[0]: ...").
[[nodiscard]] sdk::Result<ImageConfig> parse_config(std::string_view json);

}  // namespace dbuild::oci
