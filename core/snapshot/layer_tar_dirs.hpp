// layer_tar_dirs.hpp: where an applied entry may go. Entry paths are cleaned and kept inside the
// target, and directories are opened one component at a time without following symlinks.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "snapshot/layer_tar_fs.hpp"

namespace dbuild::snapshot::detail {

/// An entry's path relative to the target, as components; no component is "", "." or "..".
struct EntryPath {
  std::vector<std::string> parts;  // empty for the target itself
  std::string text;                // the parts joined with '/'

  [[nodiscard]] const std::string& base() const { return parts.back(); }
  [[nodiscard]] std::size_t parent_size() const { return parts.size() - 1; }
};

/// Drops "." and empty components and resolves ".." lexically (nothing is followed on disk, so
/// that is exact). Errors: invalid_argument for an empty or absolute path, or one leaving the target.
sdk::Result<EntryPath> clean_entry_path(std::string_view raw);

enum class Create { No, Yes };

/// Opens `name` in `parent` as a directory (O_PATH), refusing a symlink; with Create::Yes a
/// missing one is made (0755). `display` names it in errors. Errors: not_found (missing),
/// invalid_argument (a symlink or not a directory), or from the system.
sdk::Result<Fd> open_directory_at(int parent, const std::string& name, Create create, std::string_view display);

/// Opens the directory made of the first `count` of `parts` under `root_fd`, uncached.
sdk::Result<Fd> open_directory_path(int root_fd, const std::vector<std::string>& parts, std::size_t count,
                                    Create create);

/// The directories of the last path opened, kept open: consecutive entries of a sorted layer
/// share most of their parents, so most lookups cost no system call.
class DirChain {
 public:
  explicit DirChain(int root_fd) : root_fd_(root_fd) {}

  /// The directory made of the first `count` of `parts` (see open_directory_at). The descriptor
  /// stays valid until the next open(), or forget() of it or one of its parents.
  sdk::Result<int> open(const std::vector<std::string>& parts, std::size_t count, Create create);
  /// Drops what is cached for the directory made of the first `count` of `parts` and below it,
  /// which is being removed.
  void forget(const std::vector<std::string>& parts, std::size_t count);

 private:
  int root_fd_;
  std::vector<std::pair<std::string, Fd>> chain_;  // from the root down, at most kMaxChain long
  Fd deep_;                                        // the result of a lookup deeper than the chain
};

}  // namespace dbuild::snapshot::detail
