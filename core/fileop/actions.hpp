// actions.hpp: BuildKit's other FileOp actions: mkdir (WORKDIR), mkfile (COPY <<EOF heredocs),
// rm and symlink, applied to a writable directory tree with BuildKit's semantics and errors.
// Paths are resolved inside `root` (symlinks and ".." never leave it); owners are looked up in
// `root`'s /etc/passwd and /etc/group.
#pragma once

#include <filesystem>

#include <dbuild/sdk/definition.hpp>
#include <dbuild/sdk/status.hpp>

#include "fileop/context.hpp"

namespace dbuild::fileop {

/// Creates a directory. With make_parents, missing parents are created too (same mode and owner)
/// and an existing directory is left as it is. Without, the parent must exist, and an existing
/// entry at the path is left alone (BuildKit ignores EEXIST there).
/// Errors: not_found ("mkdir /a/b: no such file or directory"), failed_precondition (a file on
/// the way: "mkdir /a: not a directory"), not_found for an unknown chown user.
sdk::Status mkdir(const std::filesystem::path& root, const sdk::MkdirAction& action, const CopyContext& context);

/// Writes a file with `data` and `mode`, replacing what is there (a file, symlink target inside
/// the tree, device...) by a rename, so that nothing in the way is written through.
/// Errors: not_found (missing parent), failed_precondition (a directory at the path: "is a directory").
sdk::Status mkfile(const std::filesystem::path& root, const sdk::MkfileAction& action, const CopyContext& context);

/// Removes a path and everything below it; with allow_wildcard, every match of the pattern. A
/// symlink is removed, not followed. Errors: not_found ("stat /a: no such file or directory")
/// unless allow_not_found; invalid_argument for "/".
sdk::Status rm(const std::filesystem::path& root, const sdk::RmAction& action, const CopyContext& context);

/// Creates a symlink at `path` pointing to `target`, verbatim. The parent must exist.
/// Errors: already_exists ("symlink T /p: file exists"), not_found (missing parent).
sdk::Status symlink(const std::filesystem::path& root, const sdk::SymlinkAction& action, const CopyContext& context);

}  // namespace dbuild::fileop
