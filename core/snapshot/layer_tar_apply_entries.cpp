// layer_tar_apply_entries.cpp: creating each kind of entry (directory, file, symlink, device,
// FIFO, hardlink) under the target, with its owner, mode, xattrs and times.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "snapshot/layer_tar_apply.hpp"

namespace dbuild::snapshot::detail {
namespace {

std::array<timespec, 2> entry_times(struct archive_entry* entry) {
  timespec modified{0, UTIME_OMIT};
  if (archive_entry_mtime_is_set(entry)) modified = {archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)};
  timespec accessed = modified;  // layers carry no atime; the mtime is the deterministic choice
  if (archive_entry_atime_is_set(entry)) accessed = {archive_entry_atime(entry), archive_entry_atime_nsec(entry)};
  return {accessed, modified};
}

// `set(name, value, size)` is fsetxattr or lsetxattr bound to the file.
template <class Setter>
sdk::Status set_xattrs(struct archive_entry* entry, std::string_view display, Setter set) {
  archive_entry_xattr_reset(entry);
  const char* name = nullptr;
  const void* value = nullptr;
  std::size_t size = 0;
  while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK) {
    if (is_overlay_xattr(name)) continue;
    if (set(name, value, size) == 0) continue;
    // As containerd does: a file system without this namespace (user.* on an old tmpfs) loses
    // the xattr rather than failing the whole layer.
    if (errno == ENOTSUP) continue;
    return errno_status(errno, display, fmt::format("cannot set xattr {}", name));
  }
  return sdk::Status::ok();
}

// A directory that already existed keeps only the xattrs the entry lists (and overlay's own).
sdk::Status drop_other_xattrs(int fd, struct archive_entry* entry, std::string_view display) {
  ssize_t size = ::flistxattr(fd, nullptr, 0);
  if (size <= 0) return sdk::Status::ok();
  std::string names(static_cast<std::size_t>(size), '\0');
  size = ::flistxattr(fd, names.data(), names.size());
  if (size < 0) return errno_status(errno, display, "cannot list xattrs");
  std::vector<std::string> wanted;
  archive_entry_xattr_reset(entry);
  const char* name = nullptr;
  const void* value = nullptr;
  std::size_t value_size = 0;
  while (archive_entry_xattr_next(entry, &name, &value, &value_size) == ARCHIVE_OK) wanted.emplace_back(name);
  for (const char* existing = names.data(); existing < names.data() + size; existing += std::strlen(existing) + 1) {
    if (is_overlay_xattr(existing) || std::find(wanted.begin(), wanted.end(), existing) != wanted.end()) continue;
    if (::fremovexattr(fd, existing) != 0 && errno != ENODATA)
      return errno_status(errno, display, fmt::format("cannot remove xattr {}", existing));
  }
  return sdk::Status::ok();
}

sdk::Status write_all_at(int fd, const void* data, std::size_t size, off_t offset, std::string_view display) {
  const auto* bytes = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t written = ::pwrite(fd, bytes, size, offset);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) return errno_status(errno, display, "cannot write");
    bytes += written;
    size -= static_cast<std::size_t>(written);
    offset += written;
  }
  return sdk::Status::ok();
}

// Blocks come with their offsets, so a sparse entry leaves holes rather than written zeros.
sdk::Status copy_data(struct archive* archive, int fd, struct archive_entry* entry, std::string_view display) {
  la_int64_t end = 0;
  for (;;) {
    const void* block = nullptr;
    std::size_t size = 0;
    la_int64_t offset = 0;
    int result = archive_read_data_block(archive, &block, &size, &offset);
    if (result == ARCHIVE_EOF) break;
    if (result != ARCHIVE_OK && result != ARCHIVE_WARN)
      return sdk::Status::invalid_argument(
          fmt::format("\"{}\": cannot read file data: {}", display, archive_error_string(archive)));
    if (auto status = write_all_at(fd, block, size, static_cast<off_t>(offset), display); !status) return status;
    end = std::max<la_int64_t>(end, offset + static_cast<la_int64_t>(size));
  }
  if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > end) {
    if (::ftruncate(fd, static_cast<off_t>(archive_entry_size(entry))) != 0)
      return errno_status(errno, display, "cannot set size");
  }
  return sdk::Status::ok();
}

// Owner before mode (chown clears setuid and setgid), xattrs after the owner (chown drops
// security.capability), times last.
sdk::Status set_fd_metadata(int fd, struct archive_entry* entry, std::string_view display) {
  if (::fchown(fd, static_cast<uid_t>(archive_entry_uid(entry)), static_cast<gid_t>(archive_entry_gid(entry))) != 0)
    return errno_status(errno, display, "cannot set owner");
  if (::fchmod(fd, archive_entry_mode(entry) & 07777) != 0) return errno_status(errno, display, "cannot set mode");
  auto status = set_xattrs(entry, display, [fd](const char* name, const void* value, std::size_t size) {
    return ::fsetxattr(fd, name, value, size, 0);
  });
  if (!status) return status;
  const auto times = entry_times(entry);
  if (::futimens(fd, times.data()) != 0) return errno_status(errno, display, "cannot set times");
  return sdk::Status::ok();
}

}  // namespace

sdk::Status LayerApplier::apply_root(struct archive_entry* entry) {
  if (archive_entry_filetype(entry) != AE_IFDIR)
    return sdk::Status::invalid_argument("the target itself can only be a directory");
  auto fd = open_directory_for_update(EntryPath{});
  if (!fd) return fd.status();
  return set_directory_metadata(fd->get(), entry, EntryPath{}, true);
}

sdk::Status LayerApplier::apply_directory(struct archive_entry* entry, const EntryPath& path) {
  auto parent = open_parent(path);
  if (!parent) return parent.status();
  const char* name = path.base().c_str();
  bool existed = false;
  // Created owner-only and made readable at the end (finish), like tar's delayed set-stat.
  if (::mkdirat(*parent, name, 0700) != 0) {
    if (errno != EEXIST) return errno_status(errno, path.text, "cannot create directory");
    struct stat stat {};
    if (::fstatat(*parent, name, &stat, AT_SYMLINK_NOFOLLOW) != 0) return errno_status(errno, path.text, "cannot stat");
    existed = S_ISDIR(stat.st_mode);
    if (!existed && ::unlinkat(*parent, name, 0) != 0) return errno_status(errno, path.text, "cannot replace");
    if (!existed && ::mkdirat(*parent, name, 0700) != 0)
      return errno_status(errno, path.text, "cannot create directory");
  }
  Fd fd(::openat(*parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return errno_status(errno, path.text, "cannot open directory");
  return set_directory_metadata(fd.get(), entry, path, existed);
}

sdk::Status LayerApplier::set_directory_metadata(int fd, struct archive_entry* entry, const EntryPath& path,
                                                 bool existed) {
  const std::string& display = path.parts.empty() ? std::string(".") : path.text;
  if (::fchown(fd, static_cast<uid_t>(archive_entry_uid(entry)), static_cast<gid_t>(archive_entry_gid(entry))) != 0)
    return errno_status(errno, display, "cannot set owner");
  if (existed) {
    if (auto status = drop_other_xattrs(fd, entry, display); !status) return status;
  }
  auto status = set_xattrs(entry, display, [fd](const char* name, const void* value, std::size_t size) {
    return ::fsetxattr(fd, name, value, size, 0);
  });
  if (!status) return status;
  deferred_.push_back({path.parts, static_cast<mode_t>(archive_entry_mode(entry)), entry_times(entry)});
  return sdk::Status::ok();
}

sdk::Status LayerApplier::apply_file(struct archive* archive, struct archive_entry* entry, const EntryPath& path) {
  auto parent = open_parent(path);
  if (!parent) return parent.status();
  if (auto status = remove_existing(*parent, path); !status) return status;
  Fd fd(::openat(*parent, path.base().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return errno_status(errno, path.text, "cannot create file");
  if (auto status = copy_data(archive, fd.get(), entry, path.text); !status) return status;
  return set_fd_metadata(fd.get(), entry, path.text);
}

sdk::Status LayerApplier::apply_symlink(struct archive_entry* entry, const EntryPath& path) {
  const char* target = archive_entry_symlink(entry);
  if (target == nullptr)
    return sdk::Status::invalid_argument(fmt::format("\"{}\": symlink without a target", path.text));
  auto parent = open_parent(path);
  if (!parent) return parent.status();
  if (auto status = remove_existing(*parent, path); !status) return status;
  if (::symlinkat(target, *parent, path.base().c_str()) != 0)
    return errno_status(errno, path.text, "cannot create symlink");
  return set_path_metadata(*parent, entry, path);
}

sdk::Status LayerApplier::apply_node(struct archive_entry* entry, const EntryPath& path) {
  auto parent = open_parent(path);
  if (!parent) return parent.status();
  if (auto status = remove_existing(*parent, path); !status) return status;
  const mode_t type = archive_entry_filetype(entry);
  if (::mknodat(*parent, path.base().c_str(), type | 0600, archive_entry_rdev(entry)) != 0)
    return errno_status(errno, path.text, "cannot create device or FIFO");
  return set_path_metadata(*parent, entry, path);
}

// For what cannot be opened safely (a symlink; a device or FIFO, whose open has effects). The
// parents were just checked to be real directories, so path-based calls stay inside the target.
sdk::Status LayerApplier::set_path_metadata(int parent, struct archive_entry* entry, const EntryPath& path) {
  const char* name = path.base().c_str();
  const bool symlink = archive_entry_filetype(entry) == AE_IFLNK;
  if (::fchownat(parent, name, static_cast<uid_t>(archive_entry_uid(entry)),
                 static_cast<gid_t>(archive_entry_gid(entry)), AT_SYMLINK_NOFOLLOW) != 0)
    return errno_status(errno, path.text, "cannot set owner");
  // Linux has no symlink modes; for a node just made by mknodat, following is not a concern.
  if (!symlink && ::fchmodat(parent, name, archive_entry_mode(entry) & 07777, 0) != 0)
    return errno_status(errno, path.text, "cannot set mode");
  const std::string full = full_path(path);
  auto status = set_xattrs(entry, path.text, [&full](const char* key, const void* value, std::size_t size) {
    return ::lsetxattr(full.c_str(), key, value, size, 0);
  });
  if (!status) return status;
  const auto times = entry_times(entry);
  if (::utimensat(parent, name, times.data(), AT_SYMLINK_NOFOLLOW) != 0)
    return errno_status(errno, path.text, "cannot set times");
  return sdk::Status::ok();
}

sdk::Status LayerApplier::apply_hardlink(const EntryPath& path, const char* link) {
  auto source = clean_entry_path(link);
  if (!source || source->parts.empty())
    return sdk::Status::invalid_argument(
        fmt::format("hardlink target \"{}\": {}", link, source ? "is the target itself" : source.status().message()));
  auto source_parent = open_directory_path(root_fd_, source->parts, source->parent_size(), Create::No);
  struct stat source_stat {};
  if (!source_parent || ::fstatat(source_parent->get(), source->base().c_str(), &source_stat, AT_SYMLINK_NOFOLLOW) != 0)
    return sdk::Status::invalid_argument(fmt::format("hardlink target \"{}\" does not exist in the target", link));
  if (S_ISDIR(source_stat.st_mode))
    return sdk::Status::invalid_argument(fmt::format("hardlink target \"{}\" is a directory", link));
  auto parent = open_parent(path);
  if (!parent) return parent.status();
  struct stat existing {};
  if (::fstatat(*parent, path.base().c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0 &&
      existing.st_dev == source_stat.st_dev && existing.st_ino == source_stat.st_ino)
    return sdk::Status::ok();  // already this very file
  if (auto status = remove_existing(*parent, path); !status) return status;
  if (::linkat(source_parent->get(), source->base().c_str(), *parent, path.base().c_str(), 0) != 0)
    return errno_status(errno, path.text, fmt::format("cannot link to \"{}\"", source->text));
  return sdk::Status::ok();
}

}  // namespace dbuild::snapshot::detail
