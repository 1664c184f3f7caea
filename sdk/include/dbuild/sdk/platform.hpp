// platform.hpp: an OCI platform (os, architecture, variant), as images and builds name them, and
// the specifier syntax users type ("linux/arm64", "arm", "windows(10.0.17763)/amd64"), read and
// written as containerd's platforms package does.
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

  /// "linux/amd64" or "linux/arm/v7": os, architecture and variant, empty parts left out;
  /// "unknown" when the os is empty (containerd's Format).
  [[nodiscard]] std::string str() const;
  /// str() with the OS version and features after the os, each percent-encoded where it holds
  /// one of "%+()/" and the features sorted: "windows(10.0.17763+win32k)/amd64" (FormatAll).
  [[nodiscard]] std::string str_all() const;

  /// The canonical form (containerd's Normalize): lower case, "x86_64" -> "amd64",
  /// "aarch64" -> "arm64", "arm64/v8" -> "arm64", "arm" -> "arm/v7", "armel" -> "arm/v6",
  /// "i386" -> "386", "macos" -> "darwin", features sorted without duplicates.
  [[nodiscard]] Platform normalized() const;

  /// Reads a specifier as containerd's Parse does: "os[(version+feature...)][/arch[/variant]]" or
  /// an architecture alone; a missing os or architecture is the host's. Aliases are resolved but
  /// the result is not fully normalised ("linux/arm" has no variant, "linux/arm64/v8" keeps v8).
  /// Errors: invalid_argument (empty, bad characters, more than three parts, wildcards, an
  /// unknown lone word).
  static Result<Platform> parse_specifier(std::string_view text);

  /// parse_specifier(), then normalized(): what --platform and FROM --platform mean, as buildx
  /// reads them ("linux/arm" is linux/arm/v7). Errors: as parse_specifier.
  static Result<Platform> parse(std::string_view text);

  /// The platform this process runs on (linux/amd64 on an x86_64 machine).
  static Platform host();

  friend bool operator==(const Platform&, const Platform&) = default;
};

}  // namespace dbuild::sdk
