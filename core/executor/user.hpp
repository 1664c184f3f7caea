// user.hpp: resolving `USER`-style specs ("name", "uid", "name:group", "uid:gid") against a
// root file system's /etc/passwd and /etc/group, as BuildKit does for RUN and COPY --chown.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::executor {

struct ResolvedUser {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::vector<std::uint32_t> additional_gids;  // groups listing the user by name, for exec only
  std::string home;                            // from passwd, empty when unknown
};

/// Resolves `spec` with the contents of passwd and group files (either may be empty).
/// A numeric user missing from passwd gets gid 0; a named user missing is an error, as is a
/// named group missing from group. Errors: not_found, invalid_argument.
sdk::Result<ResolvedUser> resolve_user(std::string_view spec, std::string_view passwd, std::string_view group);

/// Reads <rootfs>/etc/passwd and <rootfs>/etc/group (absent files count as empty), refusing to
/// follow a symlink out of rootfs, then resolves.
sdk::Result<ResolvedUser> resolve_user_in(const std::filesystem::path& rootfs, std::string_view spec);

}  // namespace dbuild::executor
