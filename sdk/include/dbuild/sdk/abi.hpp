// abi.hpp: the plugin ABI version this SDK speaks. See sdk/README.md for what bumps which number.
#pragma once

#include <cstdint>

namespace dbuild::sdk {

/// Bumped by an incompatible change: a plugin interface gains, loses or reorders a virtual
/// function, a type that crosses the ABI changes layout, the descriptor changes after its first
/// two fields. The host refuses plugins built for another major.
inline constexpr std::uint32_t kAbiMajor = 2;

/// Bumped by a compatible addition the host offers: a new virtual function appended to Host or
/// to another host-implemented service, a new plugin kind. The host refuses plugins built
/// against a newer minor than its own, because they may call what the host lacks.
inline constexpr std::uint32_t kAbiMinor = 1;

}  // namespace dbuild::sdk
