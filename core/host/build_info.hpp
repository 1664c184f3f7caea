// build_info.hpp: what `dbuild version` reports about the build itself.
#pragma once

#include <string_view>

namespace dbuild::host {

struct BuildInfo {
  std::string_view version;     // the project version, "0.1.0"
  std::string_view git_commit;  // short commit of the source tree, "unknown" outside git
  std::string_view build_type;  // CMAKE_BUILD_TYPE
};

/// Filled in at build time (build_info.cpp.in).
[[nodiscard]] const BuildInfo& build_info() noexcept;

}  // namespace dbuild::host
