// copy.hpp: BuildKit's FileOp copy action (Dockerfile COPY and ADD of local files): copying from
// a source tree into a writable destination tree, with wildcards, --chown, --chmod, --exclude,
// --parents and archive unpacking, with the same results and errors as BuildKit.
//
//   fileop::CopySource context{.root = "/var/lib/dbuild/sessions/42/context", .reset_ownership = true};
//   sdk::CopyAction action{.src = "/src", .dest = "/app/", .chown = sdk::Ownership{.user = "app"}};
//   auto status = fileop::copy(context, "/var/lib/dbuild/mounts/7", action, {});
#pragma once

#include <filesystem>
#include <functional>
#include <string_view>

#include <dbuild/sdk/definition.hpp>
#include <dbuild/sdk/status.hpp>

#include "fileop/context.hpp"

namespace dbuild::fileop {

/// Where a copy reads from: another snapshot's directory, or the build context on the host.
struct CopySource {
  std::filesystem::path root;
  /// For local contexts: whether a path (relative to `root`, "a/b", never empty) belongs to the
  /// context. False for a directory removes the directory and everything below it, so a filter
  /// with re-includes ("!dir/keep") must answer true for the directories that lead to them. It
  /// is asked about every entry a copy reads; empty: everything belongs.
  std::function<bool(std::string_view relative_path, bool is_dir)> filter{};
  /// True for local contexts: copied entries become root's (0:0) unless the action has a chown.
  /// False for snapshots, whose owners are kept.
  bool reset_ownership = false;
};

/// Applies `action` to `dest_root` (a writable directory: an overlay mount or a plain directory)
/// reading from `source`. Every path inside either tree is resolved as a process chrooted there
/// would see it, so symlinks and ".." never leave the tree. For BuildKit's results the source
/// must not change meanwhile: a copy within the FileOp's own base should read a separate
/// read-only view of it. The same directory for both still works (a copy never walks into
/// directories it made, so "/a" to "/a/b/" ends), but later entries then see earlier writes.
/// Errors:
///   not_found           a source that does not exist ("\"/nope\": not found"), an unknown chown user
///   invalid_argument    a bad chmod, pattern or wildcard
///   failed_precondition a file where a directory must go or the reverse
///                       ("cannot copy to non-directory: /app"), a missing parent without create_dest_path
///   cancelled           `context.stop` was requested
///   unavailable, permission_denied, internal: the system refused a write (the message says which)
sdk::Status copy(const CopySource& source, const std::filesystem::path& dest_root, const sdk::CopyAction& action,
                 const CopyContext& context);

}  // namespace dbuild::fileop
