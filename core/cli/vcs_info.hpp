// vcs_info.hpp: what buildx sends as `vcs:source` and `vcs:revision` about a build context in a
// git working tree (the origin's URL and the checked-out commit), read from the .git files
// directly: no git process, no libgit2 on the build's path.
#pragma once

#include <filesystem>
#include <string>

namespace dbuild::cli {

struct VcsInfo {
  std::string source;    // remote "origin" URL, credentials removed; empty when none
  std::string revision;  // the commit HEAD names; empty when not a git tree
};

/// The git working tree containing `dir`, if any.
[[nodiscard]] VcsInfo read_vcs_info(const std::filesystem::path& dir);

}  // namespace dbuild::cli
