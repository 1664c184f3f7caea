// fs_util.hpp: the system calls file actions share: errors worded like Go's os package, opening a
// path beneath a tree's root without following symlinks, creating parents, times, xattrs and
// removal. Everything works on directory descriptors. Internal to core/fileop.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

#include "os/unique_fd.hpp"

namespace dbuild::fileop::detail {

/// An owner for created or copied entries.
struct Owner {
  uid_t uid = 0;
  gid_t gid = 0;
  friend bool operator==(const Owner&, const Owner&) = default;
};

/// "<op> <path>: <reason>" (Go's os.PathError wording, e.g. "mkdir /a: file exists") with a Code
/// chosen from the errno: ENOENT not_found, EEXIST already_exists, EACCES permission_denied, ...
[[nodiscard]] sdk::Status errno_status(int error, std::string_view op, std::string_view display);

/// Seconds since the epoch as a timespec for both atime and mtime.
[[nodiscard]] timespec seconds_to_timespec(std::int64_t seconds);

/// Opens the directory `root` itself (the one path that may contain symlinks: it is ours).
sdk::Result<os::UniqueFd> open_root(const std::string& root);

/// Opens `relative` (as resolve_in returns it) beneath `root_fd`, refusing any symlink or ".." on
/// the way, so that a tree changed since it was resolved still cannot send us out of it.
/// `flags` are open(2) flags; O_CLOEXEC is added. Errors name `relative` as "/relative".
sdk::Result<os::UniqueFd> open_beneath(int root_fd, std::string_view relative, int flags);
/// The same returning the descriptor, or -1 with errno set, for callers that word the error.
int open_beneath_raw(int root_fd, std::string_view relative, int flags);

/// Creates the missing directories of `relative` beneath `root_fd` with `mode` (exactly: the umask
/// does not narrow it), owned by `owner` when given, and returns the last one opened. Appends the
/// relative paths it created to `created`, so that the caller can set their times once nothing
/// else will be written into them. Errors: failed_precondition ("mkdir /a: not a directory").
sdk::Result<os::UniqueFd> mkdir_all(int root_fd, std::string_view relative, mode_t mode,
                                    const std::optional<Owner>& owner, std::vector<std::string>* created);

/// Sets atime and mtime of each path in `relatives` (beneath `root_fd`) to `time`, last first.
sdk::Status set_times(int root_fd, const std::vector<std::string>& relatives, const timespec& time);

/// The xattrs of a file: names and values. Overlayfs's own (trusted.overlay.*) are left out: they
/// describe layers, not files, and an overlay mount refuses them.
struct Xattr {
  std::string name;
  std::string value;
};
/// Reads through an open descriptor (`fd` >= 0) or, for what cannot be opened safely (symlinks,
/// devices), by name in `dir_fd`. Unsupported or unreadable xattrs yield an empty list.
[[nodiscard]] std::vector<Xattr> read_xattrs(int fd, int dir_fd, const std::string& name);
/// Writes them the same way. Failures are ignored, as BuildKit does: a file system without
/// xattrs (or without user.* on symlinks) still receives the copy.
void write_xattrs(const std::vector<Xattr>& xattrs, int fd, int dir_fd, const std::string& name);

/// Removes `name` in `dir_fd` and, for a directory, everything under it, never following a
/// symlink. A missing `name` is fine. `display` names it in errors.
sdk::Status remove_tree_at(int dir_fd, const std::string& name, std::string_view display);

/// The names in an open directory (no "." or ".."), sorted bytewise so that every walk is in the
/// same order. `fd` stays open and usable.
sdk::Result<std::vector<std::string>> list_names(int fd, std::string_view display);

/// Writes all of `data` at the current position of `fd`.
sdk::Status write_all(int fd, std::string_view data, std::string_view display);

}  // namespace dbuild::fileop::detail
