// layer_tar_apply.cpp: dispatching applied entries, whiteouts and opaque markers in both
// formats, and the deferred directory metadata. Creating each kind of entry is in
// layer_tar_apply_entries.cpp.
#include "snapshot/layer_tar_apply.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <cerrno>

#include <fmt/format.h>

namespace dbuild::snapshot::detail {
namespace {

bool is_absent(const sdk::Status& status) {
  return status.code() == sdk::Code::NotFound || status.code() == sdk::Code::InvalidArgument;
}

sdk::Result<Fd> reopen_directory(int path_fd, std::string_view display) {
  Fd fd(::openat(path_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return errno_status(errno, display, "cannot open directory");
  return fd;
}

}  // namespace

sdk::Status LayerApplier::apply(struct archive* archive, struct archive_entry* entry) {
  const char* raw = archive_entry_pathname(entry);
  if (raw == nullptr) return sdk::Status::invalid_argument("an entry has no name");
  auto status = apply_named(archive, entry, raw);
  if (!status) return std::move(status).with_context(fmt::format("entry \"{}\"", raw));
  return status;
}

sdk::Status LayerApplier::apply_named(struct archive* archive, struct archive_entry* entry, const char* raw) {
  auto path = clean_entry_path(raw);
  if (!path) return path.status();
  if (!path->parts.empty() && path->base().starts_with(kWhiteoutPrefix)) return apply_whiteout(*path);
  if (format_ == WhiteoutFormat::Delete) remember(*path);
  if (const char* link = archive_entry_hardlink(entry)) return apply_hardlink(*path, link);
  if (path->parts.empty()) return apply_root(entry);
  switch (archive_entry_filetype(entry)) {
    case AE_IFDIR: return apply_directory(entry, *path);
    case AE_IFREG: return apply_file(archive, entry, *path);
    case AE_IFLNK: return apply_symlink(entry, *path);
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO: return apply_node(entry, *path);
    default: return sdk::Status::invalid_argument("unsupported file type");
  }
}

sdk::Status LayerApplier::apply_whiteout(const EntryPath& path) {
  const std::string& base = path.base();
  if (base == kOpaqueMarker) return apply_opaque(path);
  if (base.starts_with(kWhiteoutMetaPrefix)) return sdk::Status::ok();  // aufs bookkeeping, meaningless here
  EntryPath victim = path;
  victim.parts.back() = base.substr(kWhiteoutPrefix.size());
  victim.text = join_path(victim.parts, victim.parts.size());
  if (victim.base().empty() || victim.base() == "." || victim.base() == "..")
    return sdk::Status::invalid_argument("not a valid whiteout");
  if (format_ == WhiteoutFormat::Delete) {
    // Nothing to delete when a parent is missing or is not a directory: the path is not there.
    auto parent = dirs_.open(victim.parts, victim.parent_size(), Create::No);
    if (!parent) return is_absent(parent.status()) ? sdk::Status::ok() : parent.status();
    return remove_existing(*parent, victim);
  }
  auto parent = open_parent(victim);
  if (!parent) return parent.status();
  if (auto status = remove_existing(*parent, victim); !status) return status;
  if (::mknodat(*parent, victim.base().c_str(), S_IFCHR, makedev(0, 0)) != 0)
    return errno_status(errno, victim.text, "cannot create whiteout");
  return sdk::Status::ok();
}

sdk::Status LayerApplier::apply_opaque(const EntryPath& marker) {
  EntryPath directory = marker;
  directory.parts.pop_back();
  directory.text = join_path(directory.parts, directory.parts.size());
  auto fd = open_directory_for_update(directory);
  if (!fd) return fd.status();
  if (format_ == WhiteoutFormat::Overlay) {
    if (::fsetxattr(fd->get(), kOverlayOpaqueXattr.data(), "y", 1, 0) != 0)
      return errno_status(errno, directory.text, "cannot mark directory opaque");
    return sdk::Status::ok();
  }
  remember(directory);
  return clear_opaque(fd->get(), directory.parts);
}

// Removes everything under the directory that this layer did not write, keeping the layer's
// own entries wherever they came in the stream relative to the marker.
sdk::Status LayerApplier::clear_opaque(int dir_fd, std::vector<std::string>& parts) {
  auto names = list_directory_fd(dir_fd, join_path(parts, parts.size()));
  if (!names) return names.status();
  for (const auto& name : *names) {
    parts.push_back(name);
    const std::string path = join_path(parts, parts.size());
    sdk::Status status;
    struct stat stat {};
    if (!layer_paths_.contains(path)) {
      dirs_.forget(parts, parts.size());
      status = remove_tree_at(dir_fd, name, path);
    } else if (::fstatat(dir_fd, name.c_str(), &stat, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(stat.st_mode)) {
      Fd child(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      status = child.valid() ? clear_opaque(child.get(), parts) : errno_status(errno, path, "cannot open directory");
    }
    parts.pop_back();
    if (!status) return status;
  }
  return sdk::Status::ok();
}

sdk::Result<Fd> LayerApplier::open_directory_for_update(const EntryPath& path) {
  if (path.parts.empty()) return reopen_directory(root_fd_, ".");
  auto parent = open_parent(path);
  if (!parent) return parent.status();
  auto directory = open_directory_at(*parent, path.base(), Create::Yes, path.text);
  if (!directory) return directory.status();
  return reopen_directory(directory->get(), path.text);
}

sdk::Status LayerApplier::remove_existing(int parent, const EntryPath& path) {
  if (::unlinkat(parent, path.base().c_str(), 0) == 0 || errno == ENOENT) return sdk::Status::ok();
  if (errno != EISDIR) return errno_status(errno, path.text, "cannot replace");
  dirs_.forget(path.parts, path.parts.size());
  return remove_tree_at(parent, path.base(), path.text);
}

void LayerApplier::remember(const EntryPath& path) {
  std::string prefix = path.text;
  // A parent already known means all of its own parents are known too.
  while (!prefix.empty() && layer_paths_.insert(prefix).second) {
    const auto slash = prefix.rfind('/');
    if (slash == std::string::npos) break;
    prefix.resize(slash);
  }
}

sdk::Status LayerApplier::finish() {
  for (const auto& directory : deferred_) {
    const std::string display = join_path(directory.parts, directory.parts.size());
    Fd fd;
    if (directory.parts.empty()) {
      auto root = reopen_directory(root_fd_, ".");
      if (!root) return root.status();
      fd = std::move(*root);
    } else {
      // Gone or replaced by a later entry of the layer: nothing left to set.
      auto parent = dirs_.open(directory.parts, directory.parts.size() - 1, Create::No);
      if (!parent) {
        if (is_absent(parent.status())) continue;
        return parent.status();
      }
      fd = Fd(::openat(*parent, directory.parts.back().c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!fd.valid() && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)) continue;
      if (!fd.valid()) return errno_status(errno, display, "cannot open directory");
    }
    if (::fchmod(fd.get(), directory.mode & 07777) != 0) return errno_status(errno, display, "cannot set mode");
    if (::futimens(fd.get(), directory.times.data()) != 0) return errno_status(errno, display, "cannot set times");
  }
  return sdk::Status::ok();
}

}  // namespace dbuild::snapshot::detail
