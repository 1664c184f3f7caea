// context_walk.hpp: walks a build context directory the way BuildKit does for a local source with
// include/exclude patterns; the walk that the context checksum and COPY build on.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

#include "patterns/context_filter.hpp"

namespace dbuild::patterns {

/// What the walk does after a callback.
enum class WalkAction : std::uint8_t {
  Continue,
  SkipDir,  // for a directory: do not enter it; for anything else: skip the rest of its directory
  Stop,     // end the walk now; walk_context then returns ok
};

/// Called for each reported entry with its path relative to the root ('/'-separated, no
/// leading "./"; the string is only valid during the call) and its lstat information.
/// Returning an error ends the walk with that error.
using WalkCallback = std::function<sdk::Result<WalkAction>(std::string_view path, const struct stat& info)>;

/// Walks the tree under `root` (which may itself be a symlink to a directory) depth first,
/// the entries of each directory in bytewise name order, like Go's filepath.WalkDir; the root
/// itself is not reported. Symlinks are reported, never followed. With `filter` (see
/// ContextFilter), an entry is reported only when included; a directory that is not included
/// itself is reported just before the first entry below it that is (so a re-included file
/// always comes with its parents), and a directory below which nothing can be included is not
/// read at all.
///
/// Cost: one lstat (fstatat) for each directory entered and each entry reported, none for
/// excluded non-directories; one open directory per level of depth while the walk is below it.
/// Entries that vanish during the walk are skipped. A directory that cannot be read is an
/// error, except when it is only passed through (not included itself), as in BuildKit.
/// Errors: not_found or failed_precondition when `root` is missing or not a directory;
/// permission_denied or unavailable for I/O errors (naming the path); invalid_argument for a
/// malformed pattern; and whatever the callback returns.
[[nodiscard]] sdk::Status walk_context(const std::string& root, const ContextFilter& filter,
                                       const WalkCallback& callback);

/// walk_context with a filter compiled from `include` and `exclude` (see ContextFilter::compile);
/// a bad pattern fails before the walk starts, with context "invalid exclude patterns" etc.
[[nodiscard]] sdk::Status walk_context(const std::string& root, std::vector<std::string> include,
                                       std::vector<std::string> exclude, const WalkCallback& callback);

}  // namespace dbuild::patterns
