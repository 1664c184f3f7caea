// layer_tar_fs.cpp: file metadata, xattrs, listing and removal for layer tars.
#include "snapshot/layer_tar_fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace dbuild::snapshot::detail {
namespace {

sdk::Code code_for_errno(int error) {
  switch (error) {
    case ENOENT:
    case ENODATA: return sdk::Code::NotFound;
    case EACCES:
    case EPERM: return sdk::Code::PermissionDenied;
    case ENOSPC:
    case EDQUOT:
    case EROFS:
    case EIO:
    case EMFILE:
    case ENFILE:
    case ENOMEM: return sdk::Code::Unavailable;
    case EEXIST: return sdk::Code::AlreadyExists;
    case ENOTDIR:
    case EISDIR:
    case ELOOP:
    case ENOTEMPTY:
    case ENOTSUP:
    case EXDEV: return sdk::Code::FailedPrecondition;
    default: return sdk::Code::Internal;
  }
}

// The list of names is NUL-separated; its size can change between the two calls, hence the loop.
sdk::Result<std::string> list_xattr_names(const std::string& path) {
  for (;;) {
    ssize_t size = ::llistxattr(path.c_str(), nullptr, 0);
    if (size < 0) {
      if (errno == ENOTSUP) return std::string();
      return errno_status(errno, path, "cannot list xattrs");
    }
    if (size == 0) return std::string();
    std::string names(static_cast<std::size_t>(size), '\0');
    size = ::llistxattr(path.c_str(), names.data(), names.size());
    if (size >= 0) {
      names.resize(static_cast<std::size_t>(size));
      return names;
    }
    if (errno != ERANGE) return errno_status(errno, path, "cannot list xattrs");
  }
}

sdk::Result<std::string> read_xattr(const std::string& path, const char* name) {
  for (;;) {
    ssize_t size = ::lgetxattr(path.c_str(), name, nullptr, 0);
    if (size < 0) return errno_status(errno, path, fmt::format("cannot read xattr {}", name));
    std::string value(static_cast<std::size_t>(size), '\0');
    size = ::lgetxattr(path.c_str(), name, value.data(), value.size());
    if (size >= 0) {
      value.resize(static_cast<std::size_t>(size));
      return value;
    }
    if (errno != ERANGE) return errno_status(errno, path, fmt::format("cannot read xattr {}", name));
  }
}

sdk::Status read_xattrs(const std::string& path, FileInfo& info) {
  auto names = list_xattr_names(path);
  if (!names) return names.status();
  for (const char* name = names->data(); name < names->data() + names->size(); name += std::strlen(name) + 1) {
    const std::string_view view(name);
    if (is_overlay_xattr(view) && view != kOverlayOpaqueXattr && view != "trusted.overlay.redirect" &&
        view != "trusted.overlay.metacopy")
      continue;  // origin, impure, nlink, ...: bookkeeping that does not change what the tree holds
    auto value = read_xattr(path, name);
    if (!value) {
      if (value.status().code() == sdk::Code::NotFound) continue;  // ENODATA: removed meanwhile
      return value.status();
    }
    if (view == kOverlayOpaqueXattr) {
      info.opaque = *value == "y";
    } else if (is_overlay_xattr(view)) {
      info.overlay_only = std::string(view);
    } else {
      info.xattrs.push_back({std::string(view), std::move(*value)});
    }
  }
  std::sort(info.xattrs.begin(), info.xattrs.end(), [](const Xattr& a, const Xattr& b) { return a.name < b.name; });
  return sdk::Status::ok();
}

sdk::Result<std::string> read_link(const std::string& path, std::size_t size_hint) {
  std::string target(std::max<std::size_t>(size_hint, 64) + 1, '\0');
  for (;;) {
    ssize_t size = ::readlink(path.c_str(), target.data(), target.size());
    if (size < 0) return errno_status(errno, path, "cannot read symlink");
    if (static_cast<std::size_t>(size) < target.size()) {
      target.resize(static_cast<std::size_t>(size));
      return target;
    }
    target.resize(target.size() * 2);  // it may have grown since lstat
  }
}

}  // namespace

sdk::Status errno_status(int error, std::string_view path, std::string_view what) {
  return {code_for_errno(error), fmt::format("\"{}\": {}: {}", path, what, std::strerror(error))};
}

bool is_overlay_xattr(std::string_view name) noexcept { return name.starts_with("trusted.overlay."); }

bool is_overlay_whiteout(const struct stat& stat) noexcept {
  return S_ISCHR(stat.st_mode) && stat.st_rdev == makedev(0, 0);
}

sdk::Result<FileInfo> read_file_info(const std::string& path) {
  FileInfo info;
  if (::lstat(path.c_str(), &info.stat) != 0) return errno_status(errno, path, "cannot stat");
  if (S_ISLNK(info.stat.st_mode)) {
    auto target = read_link(path, static_cast<std::size_t>(info.stat.st_size));
    if (!target) return target.status();
    info.link_target = std::move(*target);
  }
  if (is_overlay_whiteout(info.stat)) return info;  // a whiteout's own metadata is never written
  if (auto status = read_xattrs(path, info); !status) return status;
  return info;
}

sdk::Result<std::vector<std::string>> list_directory_fd(int fd, std::string_view display) {
  // fdopendir takes ownership of the descriptor it is given, so it gets a duplicate.
  int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return errno_status(errno, display, "cannot list directory");
  DIR* dir = ::fdopendir(copy);
  if (dir == nullptr) {
    int error = errno;
    ::close(copy);
    return errno_status(error, display, "cannot list directory");
  }
  ::rewinddir(dir);  // the duplicate shares its offset with `fd`, which may have been read before
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name(entry->d_name);
    if (name != "." && name != "..") names.emplace_back(name);
    errno = 0;
  }
  int error = errno;
  ::closedir(dir);
  if (error != 0) return errno_status(error, display, "cannot list directory");
  std::sort(names.begin(), names.end());
  return names;
}

sdk::Result<std::vector<std::string>> list_directory(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return errno_status(errno, path, "cannot open directory");
  return list_directory_fd(fd.get(), path);
}

sdk::Status remove_tree_at(int dir_fd, const std::string& name, std::string_view display) {
  if (::unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT) return sdk::Status::ok();
  if (errno != EISDIR) return errno_status(errno, display, "cannot remove");
  Fd dir(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir.valid()) return errno_status(errno, display, "cannot open directory");
  auto children = list_directory_fd(dir.get(), display);
  if (!children) return children.status();
  for (const auto& child : *children) {
    if (auto status = remove_tree_at(dir.get(), child, fmt::format("{}/{}", display, child)); !status) return status;
  }
  if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
    return errno_status(errno, display, "cannot remove directory");
  return sdk::Status::ok();
}

std::string join_path(const std::vector<std::string>& parts, std::size_t count) {
  std::string path;
  for (std::size_t i = 0; i < count && i < parts.size(); ++i) {
    if (i > 0) path += '/';
    path += parts[i];
  }
  return path;
}

}  // namespace dbuild::snapshot::detail
