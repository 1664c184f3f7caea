// fs_util.cpp: descriptor-based helpers shared by the file actions.
#include "fileop/fs_util.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "fileop/paths.hpp"

namespace dbuild::fileop::detail {
namespace {

sdk::Code code_for_errno(int error) {
  switch (error) {
    case ENOENT: return sdk::Code::NotFound;
    case EEXIST: return sdk::Code::AlreadyExists;
    case EACCES:
    case EPERM: return sdk::Code::PermissionDenied;
    case ENOSPC:
    case EDQUOT:
    case EROFS:
    case EIO:
    case EMFILE:
    case ENFILE:
    case ENOMEM: return sdk::Code::Unavailable;
    case ENOTDIR:
    case EISDIR:
    case ELOOP:
    case ENOTEMPTY:
    case EXDEV:
    case ENOTSUP: return sdk::Code::FailedPrecondition;
    case EINVAL: return sdk::Code::InvalidArgument;
    default: return sdk::Code::Internal;
  }
}

// Go spells errno texts in lower case ("no such file or directory"); BuildKit users know those.
std::string errno_text(int error) {
  std::string text = std::strerror(error);
  if (!text.empty() && text.front() >= 'A' && text.front() <= 'Z' && text.compare(0, 2, "I/") != 0)
    text.front() = static_cast<char>(text.front() - 'A' + 'a');
  return text;
}

bool is_overlay_xattr(std::string_view name) { return name.rfind("trusted.overlay.", 0) == 0; }

std::string proc_path(int dir_fd, const std::string& name) { return fmt::format("/proc/self/fd/{}/{}", dir_fd, name); }

// Sizes can change between the sizing call and the reading call, hence the retry on ERANGE.
template <class Get>
std::optional<std::string> read_sized(Get get) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    ssize_t size = get(nullptr, 0);
    if (size < 0) return std::nullopt;
    std::string value(static_cast<std::size_t>(size), '\0');
    if (size == 0) return value;
    size = get(value.data(), value.size());
    if (size >= 0) {
      value.resize(static_cast<std::size_t>(size));
      return value;
    }
    if (errno != ERANGE) return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

sdk::Status errno_status(int error, std::string_view op, std::string_view display) {
  return {code_for_errno(error), fmt::format("{} {}: {}", op, display, errno_text(error))};
}

timespec seconds_to_timespec(std::int64_t seconds) {
  timespec time{};
  time.tv_sec = static_cast<time_t>(seconds);
  return time;
}

sdk::Result<os::UniqueFd> open_root(const std::string& root) {
  os::UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return errno_status(errno, "open", root);
  return fd;
}

int open_beneath_raw(int root_fd, std::string_view relative, int flags) {
  const std::string path = relative.empty() ? std::string(".") : std::string(relative);
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  int fd = static_cast<int>(::syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof how));
  if (fd < 0 && errno == ENOSYS) {
    // Kernels before 5.6: the path was resolved by secure_join just before; only a concurrent
    // change of the tree could make it unsafe, and nothing else writes to it during the action.
    fd = ::openat(root_fd, path.c_str(), flags | O_CLOEXEC | O_NOFOLLOW);
  }
  return fd;
}

sdk::Result<os::UniqueFd> open_beneath(int root_fd, std::string_view relative, int flags) {
  int fd = open_beneath_raw(root_fd, relative, flags);
  if (fd < 0) return errno_status(errno, "open", "/" + std::string(relative));
  return os::UniqueFd(fd);
}

sdk::Result<os::UniqueFd> mkdir_all(int root_fd, std::string_view relative, mode_t mode,
                                    const std::optional<Owner>& owner, std::vector<std::string>* created) {
  auto current = open_beneath(root_fd, "", O_RDONLY | O_DIRECTORY);
  if (!current) return current.status();
  std::string prefix;
  for (const auto& part : components_of(relative)) {
    prefix = join_relative(prefix, part);
    const int dir = current->get();
    if (::mkdirat(dir, part.c_str(), mode) == 0) {
      if (owner && ::fchownat(dir, part.c_str(), owner->uid, owner->gid, AT_SYMLINK_NOFOLLOW) != 0)
        return errno_status(errno, "chown", "/" + prefix);
      if (::fchmodat(dir, part.c_str(), mode, 0) != 0) return errno_status(errno, "chmod", "/" + prefix);
      if (created) created->push_back(prefix);
    } else if (errno != EEXIST) {
      return errno_status(errno, "mkdir", "/" + prefix);
    }
    os::UniqueFd next(::openat(dir, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) {
      // An existing file (or a symlink, which secure_join would have resolved) is in the way.
      const int error = (errno == ELOOP) ? ENOTDIR : errno;
      return errno_status(error, "mkdir", "/" + prefix);
    }
    *current = std::move(next);
  }
  return std::move(*current);
}

sdk::Status set_times(int root_fd, const std::vector<std::string>& relatives, const timespec& time) {
  const timespec times[2] = {time, time};
  for (auto it = relatives.rbegin(); it != relatives.rend(); ++it) {
    auto fd = open_beneath(root_fd, *it, O_RDONLY | O_DIRECTORY);
    if (!fd) continue;  // replaced by a later entry: its own times apply
    if (::futimens(fd->get(), times) != 0) return errno_status(errno, "utime", "/" + *it);
  }
  return sdk::Status::ok();
}

std::vector<Xattr> read_xattrs(int fd, int dir_fd, const std::string& name) {
  const std::string path = fd >= 0 ? std::string() : proc_path(dir_fd, name);
  auto names = read_sized([&](char* buffer, std::size_t size) {
    return fd >= 0 ? ::flistxattr(fd, buffer, size) : ::llistxattr(path.c_str(), buffer, size);
  });
  std::vector<Xattr> xattrs;
  if (!names) return xattrs;
  for (const char* key = names->data(); key < names->data() + names->size(); key += std::strlen(key) + 1) {
    if (is_overlay_xattr(key)) continue;
    auto value = read_sized([&](char* buffer, std::size_t size) {
      return fd >= 0 ? ::fgetxattr(fd, key, buffer, size) : ::lgetxattr(path.c_str(), key, buffer, size);
    });
    if (value) xattrs.push_back({key, std::move(*value)});
  }
  return xattrs;
}

void write_xattrs(const std::vector<Xattr>& xattrs, int fd, int dir_fd, const std::string& name) {
  if (xattrs.empty()) return;
  const std::string path = fd >= 0 ? std::string() : proc_path(dir_fd, name);
  for (const auto& xattr : xattrs) {
    if (fd >= 0) {
      (void)::fsetxattr(fd, xattr.name.c_str(), xattr.value.data(), xattr.value.size(), 0);
    } else {
      (void)::lsetxattr(path.c_str(), xattr.name.c_str(), xattr.value.data(), xattr.value.size(), 0);
    }
  }
}

sdk::Status remove_tree_at(int dir_fd, const std::string& name, std::string_view display) {
  if (::unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT) return sdk::Status::ok();
  if (errno != EISDIR) return errno_status(errno, "remove", display);
  os::UniqueFd child(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!child.valid()) return errno_status(errno, "open", display);
  auto names = list_names(child.get(), display);
  if (!names) return names.status();
  for (const auto& entry : *names) {
    auto status = remove_tree_at(child.get(), entry, std::string(display) + "/" + entry);
    if (!status) return status;
  }
  if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
    return errno_status(errno, "remove", display);
  return sdk::Status::ok();
}

sdk::Result<std::vector<std::string>> list_names(int fd, std::string_view display) {
  if (::lseek(fd, 0, SEEK_SET) < 0) return errno_status(errno, "readdir", display);
  std::vector<std::string> names;
  alignas(8) char buffer[32 * 1024];
  for (;;) {
    ssize_t size = ::getdents64(fd, buffer, sizeof buffer);
    if (size < 0) return errno_status(errno, "readdir", display);
    if (size == 0) break;
    for (ssize_t offset = 0; offset < size;) {
      auto* entry = reinterpret_cast<dirent64*>(buffer + offset);
      offset += entry->d_reclen;
      std::string_view entry_name(entry->d_name);
      if (entry_name != "." && entry_name != "..") names.emplace_back(entry_name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

sdk::Status write_all(int fd, std::string_view data, std::string_view display) {
  while (!data.empty()) {
    ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) return errno_status(errno, "write", display);
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return sdk::Status::ok();
}

}  // namespace dbuild::fileop::detail
