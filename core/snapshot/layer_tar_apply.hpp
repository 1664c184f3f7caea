// layer_tar_apply.hpp: turns tar entries into files under a target directory, one at a time,
// with whiteouts in overlay or deleting form. Internal; apply_layer() drives it.
#pragma once

#include <sys/types.h>
#include <time.h>

#include <array>
#include <string>
#include <unordered_set>
#include <vector>

#include "snapshot/layer_tar.hpp"
#include "snapshot/layer_tar_dirs.hpp"

struct archive;
struct archive_entry;

namespace dbuild::snapshot::detail {

class LayerApplier {
 public:
  /// `root_fd` is the target, opened by the caller (O_PATH is enough) and kept open meanwhile.
  LayerApplier(int root_fd, std::string target, WhiteoutFormat format)
      : root_fd_(root_fd), target_(std::move(target)), format_(format), dirs_(root_fd) {}

  /// Applies one entry, reading its data from `archive`. Errors name the entry.
  sdk::Status apply(struct archive* archive, struct archive_entry* entry);
  /// Sets what had to wait until the end: directory modes (a read-only directory must stay
  /// writable while it fills) and mtimes (every entry created inside changes them).
  sdk::Status finish();

 private:
  struct DeferredDirectory {
    std::vector<std::string> parts;
    mode_t mode = 0;
    std::array<timespec, 2> times{};
  };

  sdk::Status apply_named(struct archive* archive, struct archive_entry* entry, const char* raw);
  sdk::Status apply_whiteout(const EntryPath& path);
  sdk::Status apply_opaque(const EntryPath& marker);
  sdk::Status clear_opaque(int dir_fd, std::vector<std::string>& parts);
  sdk::Status apply_root(struct archive_entry* entry);
  sdk::Status apply_directory(struct archive_entry* entry, const EntryPath& path);
  sdk::Status set_directory_metadata(int fd, struct archive_entry* entry, const EntryPath& path, bool existed);
  sdk::Status apply_file(struct archive* archive, struct archive_entry* entry, const EntryPath& path);
  sdk::Status apply_symlink(struct archive_entry* entry, const EntryPath& path);
  sdk::Status apply_node(struct archive_entry* entry, const EntryPath& path);
  sdk::Status apply_hardlink(const EntryPath& path, const char* link);
  sdk::Status set_path_metadata(int parent, struct archive_entry* entry, const EntryPath& path);
  sdk::Result<int> open_parent(const EntryPath& path) {
    return dirs_.open(path.parts, path.parent_size(), Create::Yes);
  }
  sdk::Result<Fd> open_directory_for_update(const EntryPath& path);
  // Removes what is at `path` in its `parent`, a whole tree if need be, so that the entry
  // replaces it rather than writing through it (a symlink) or into it (a shared inode).
  sdk::Status remove_existing(int parent, const EntryPath& path);
  void remember(const EntryPath& path);
  [[nodiscard]] std::string full_path(const EntryPath& path) const { return target_ + "/" + path.text; }

  int root_fd_;
  std::string target_;
  WhiteoutFormat format_;
  DirChain dirs_;
  // Delete format only: every path this layer wrote, with its parents, so that an opaque marker
  // keeps them wherever it comes in the stream.
  std::unordered_set<std::string> layer_paths_;
  std::vector<DeferredDirectory> deferred_;
};

}  // namespace dbuild::snapshot::detail
