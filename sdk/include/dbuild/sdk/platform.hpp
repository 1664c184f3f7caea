// platform.hpp: an OCI platform (os, architecture, variant), as images and builds name them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {

struct Platform {
  std::string os{};            // "linux"
  std::string architecture{};  // "amd64", "arm64", ... (GOARCH spelling)
  std::string variant{};       // "v7", "v8", or empty
  std::string os_version{};    // Windows only; empty elsewhere
  std::vector<std::string> os_features{};

  /// "linux/amd64" or "linux/arm/v7".
  [[nodiscard]] std::string str() const;

  /// Parses "os[/arch[/variant]]" and normalises it as containerd does ("x86_64" -> "amd64",
  /// "aarch64" -> "arm64", "arm64/v8" -> "arm64", "armhf" -> "arm/v7", "darwin" kept, ...).
  /// An architecture alone ("arm64") means linux. Errors: invalid_argument.
  static Result<Platform> parse(std::string_view text);

  /// The platform this process runs on (linux/amd64 on an x86_64 machine).
  static Platform host();

  friend bool operator==(const Platform&, const Platform&) = default;
};

}  // namespace dbuild::sdk
