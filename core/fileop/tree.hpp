// tree.hpp: a directory tree an action reads: its root path, an open descriptor for it, and the
// local context's filter. Wildcard resolution (BuildKit's ResolveWildcards) works on it.
// Internal to core/fileop.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

#include "os/unique_fd.hpp"

namespace dbuild::fileop::detail {

using PathFilter = std::function<bool(std::string_view relative_path, bool is_dir)>;

struct Tree {
  std::filesystem::path root;
  os::UniqueFd fd;
  const PathFilter* filter = nullptr;  // null or empty: every path belongs

  /// Whether the entry at `relative` ("a/b") belongs to the tree, asking the filter.
  [[nodiscard]] bool admits(std::string_view relative, bool is_dir) const {
    return relative.empty() || filter == nullptr || !*filter || (*filter)(relative, is_dir);
  }
  /// The same for a path named directly: its ancestors must belong too.
  [[nodiscard]] bool admits_path(std::string_view relative, bool is_dir) const;
};

/// True when `name` holds `*`, `?` or `[` not escaped by a backslash (fsutil's containsWildcards).
[[nodiscard]] bool contains_wildcards(std::string_view name);

/// BuildKit's splitWildcards: the components of a cleaned absolute `path` before the first one
/// holding a wildcard ("/a/b"), and the rest ("c*/d"); the rest is empty without wildcards.
struct WildcardSplit {
  std::string base;
  std::string pattern;
};
[[nodiscard]] WildcardSplit split_wildcards(std::string_view path);

/// The paths (relative to the root, in walk order) matching `path`'s wildcards, as BuildKit's
/// ResolveWildcards finds them: the part before the first wildcard is resolved (its last symlink
/// followed only with `follow_final`), then matched against paths below it with Go's
/// path.Match, not descending into a match. Without wildcards, `path` itself (relative, unresolved).
/// Errors: not_found when the base does not exist; invalid_argument for a symlink loop.
sdk::Result<std::vector<std::string>> resolve_wildcards(const Tree& tree, std::string_view path, bool follow_final);

}  // namespace dbuild::fileop::detail
