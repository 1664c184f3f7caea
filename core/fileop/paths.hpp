// paths.hpp: path strings the way BuildKit's Go code treats them (path.Clean, Split, Base, Dir),
// and resolving an action's path inside a tree with secure_join. Internal to core/fileop.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

#include "os/secure_path.hpp"

namespace dbuild::fileop::detail {

/// Go's path.Clean: no "." or empty components, ".." folded; "" becomes ".".
[[nodiscard]] std::string go_clean(std::string_view path);

/// BuildKit's cleanPath for action paths: "/" + the cleaned path, keeping one trailing "/" (or
/// "/.") because a trailing slash on a COPY destination means "into this directory".
[[nodiscard]] std::string clean_action_path(std::string_view path);

/// Go's path.Split: `dir` keeps its trailing slash; `file` is what follows the last slash.
struct SplitPath {
  std::string dir;
  std::string file;
};
[[nodiscard]] SplitPath go_split(std::string_view path);

/// Go's path.Base and path.Dir ("/a/b/" has base "b"; Dir("a") is ".").
[[nodiscard]] std::string go_base(std::string_view path);
[[nodiscard]] std::string go_dir(std::string_view path);

/// "a/b" + "c" is "a/b/c"; "" + "c" is "c". Both parts are relative, without slashes at the ends.
[[nodiscard]] std::string join_relative(std::string_view parent, std::string_view name);
/// The parent of a relative path ("a/b" -> "a", "a" -> "") and its last component.
[[nodiscard]] std::string parent_of(std::string_view relative);
[[nodiscard]] std::string name_of(std::string_view relative);
/// The components of a relative or absolute path, without empty ones.
[[nodiscard]] std::vector<std::string> components_of(std::string_view path);

/// A path inside a tree after secure_join: `relative` is relative to the root ("" for the root
/// itself), with every existing symlink on the way resolved inside the root.
struct Resolved {
  std::string relative;
  /// How errors show it: "/" + relative.
  [[nodiscard]] std::string display() const { return "/" + relative; }
};
sdk::Result<Resolved> resolve_in(const std::filesystem::path& root, std::string_view path, os::FollowFinal follow);

}  // namespace dbuild::fileop::detail
