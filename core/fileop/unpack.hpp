// unpack.hpp: ADD of a local archive: a source file that is a tar (plain, gzip, bzip2, xz or
// zstd, told by its content, never its name) is extracted at the destination instead of copied.
// Whiteouts are ordinary files here; owners come from the archive unless the action has a chown.
// Internal to core/fileop.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <dbuild/sdk/status.hpp>

#include "fileop/context.hpp"
#include "fileop/fs_util.hpp"
#include "fileop/tree.hpp"

namespace dbuild::fileop::detail {

struct UnpackTarget {
  std::filesystem::path dest_root;
  int dest_root_fd = -1;
  std::string dest_relative;  // the directory to extract into (created when missing)
  std::optional<Owner> chown{};
  std::vector<std::string>* created = nullptr;  // receives the directories made for dest_relative
};

/// Extracts the regular file at `source_relative` into the target when it is a tar archive and
/// returns true; returns false, changing nothing, when it is not one. Every entry lands inside
/// the target directory: absolute names and symlinks are taken relative to it, and a name that
/// climbs out with ".." is an error. Errors: invalid_argument (a corrupt archive, a path out of
/// the target, an entry type with no file-system form), cancelled, and system errors.
sdk::Result<bool> unpack_if_archive(const Tree& source, const std::string& source_relative, const UnpackTarget& target,
                                    const CopyContext& context);

}  // namespace dbuild::fileop::detail
