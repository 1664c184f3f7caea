// owner.hpp: turning a --chown value into ids, against the /etc/passwd and /etc/group of the tree
// being changed, the way BuildKit's COPY does. Internal to core/fileop.
#pragma once

#include <filesystem>
#include <optional>

#include <dbuild/sdk/definition.hpp>
#include <dbuild/sdk/status.hpp>

#include "fileop/fs_util.hpp"

namespace dbuild::fileop::detail {

/// None when `chown` is none (or names neither user nor group). A numeric user without a group
/// gets the same number as gid ("--chown=10" is 10:10, as Docker documents); a user name gets its
/// primary group from passwd; an empty user is root. Names are looked up in `root`'s files,
/// read through secure_join so that a hostile /etc symlink cannot reach the host's.
/// Errors: not_found (unknown user or group), invalid_argument.
sdk::Result<std::optional<Owner>> resolve_owner(const std::filesystem::path& root,
                                                const std::optional<sdk::Ownership>& chown);

}  // namespace dbuild::fileop::detail
