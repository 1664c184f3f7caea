// secure_path.hpp: resolving a path inside a root file system the way a process chrooted there
// would see it: symlinks are followed, but ".." and absolute link targets never leave the root.
// Every file operation on a build's tree goes through this, so that a hostile image cannot make
// dbuild touch the host.
#pragma once

#include <filesystem>
#include <string_view>

#include <dbuild/sdk/status.hpp>

namespace dbuild::os {

enum class FollowFinal { Yes, No };

/// Resolves `path` (absolute or relative to "/" of `root`) against the tree under `root`.
/// Missing components are allowed and kept as they are (so the result may name a path to be
/// created). With FollowFinal::No a symlink in the last component is not followed. Errors:
/// invalid_argument (more than 255 symlinks: a loop).
sdk::Result<std::filesystem::path> secure_join(const std::filesystem::path& root, std::string_view path,
                                               FollowFinal follow = FollowFinal::Yes);

/// Creates `path` and its missing parents inside `root` (as secure_join resolves them) with
/// `mode`, owned by uid:gid. Existing directories are left as they are. Errors: unavailable,
/// failed_precondition (a component exists and is not a directory).
sdk::Status secure_mkdir_all(const std::filesystem::path& root, std::string_view path, unsigned mode, unsigned uid,
                             unsigned gid);

}  // namespace dbuild::os
