// copy_file.cpp: copying one non-directory entry (file, hardlink, symlink, device, FIFO, socket)
// and the metadata every copied entry gets. File data goes by reflink when the file system can,
// else by copy_file_range in the kernel, else through a buffer; never whole into memory.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "fileop/copier.hpp"
#include "fileop/paths.hpp"

namespace dbuild::fileop::detail {
namespace {

constexpr std::size_t kChunk = 64u << 20;      // between stop checks and progress reports
constexpr std::size_t kBufferSize = 1u << 20;  // for file systems that copy_file_range refuses

// Creates `name` with `create()` (0, or -1 and errno); what is already there is removed first,
// unless it is a directory: a non-directory never replaces one (BuildKit's wording).
template <class Create>
sdk::Status create_replacing(int dir, const std::string& name, const std::string& display, Create create) {
  if (create() == 0) return sdk::Status::ok();
  if (errno != EEXIST) return errno_status(errno, "create", display);
  struct stat existing;
  if (::fstatat(dir, name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) != 0) return errno_status(errno, "lstat", display);
  if (S_ISDIR(existing.st_mode))
    return sdk::Status::failed_precondition(fmt::format("cannot replace to directory {} with file", display));
  if (::unlinkat(dir, name.c_str(), 0) != 0) return errno_status(errno, "remove", display);
  if (create() != 0) return errno_status(errno, "create", display);
  return sdk::Status::ok();
}

bool copy_range_unsupported(int error) {
  return error == ENOSYS || error == EXDEV || error == EPERM || error == EOPNOTSUPP || error == EINVAL || error == EIO;
}

}  // namespace

sdk::Status Copier::copy_leaf(int source_dir, const std::string& source_relative, const struct stat& info,
                              int target_dir, const std::string& target_relative) {
  const std::string name = name_of(source_relative);
  const std::string display = "/" + target_relative;
  const std::string target_name = name_of(target_relative);
  if (S_ISREG(info.st_mode)) return copy_regular(source_dir, source_relative, info, target_dir, target_relative);
  if (S_ISLNK(info.st_mode)) {
    std::string link(static_cast<std::size_t>(info.st_size) + 1, '\0');
    ssize_t length = ::readlinkat(source_dir, name.c_str(), link.data(), link.size());
    if (length < 0) return errno_status(errno, "readlink", display);
    link.resize(static_cast<std::size_t>(length));
    auto status = create_replacing(target_dir, target_name, display,
                                   [&] { return ::symlinkat(link.c_str(), target_dir, target_name.c_str()); });
    if (!status) return status;
  } else {
    // Devices, FIFOs and sockets are recreated as such, never opened.
    const mode_t type = info.st_mode & S_IFMT;
    auto status = create_replacing(target_dir, target_name, display, [&] {
      return ::mknodat(target_dir, target_name.c_str(), type | 0600, info.st_rdev);
    });
    if (!status) return status;
  }
  return set_metadata_at(target_dir, target_name, info, read_xattrs(-1, source_dir, name), display);
}

sdk::Status Copier::copy_regular(int source_dir, const std::string& source_relative, const struct stat& info,
                                 int target_dir, const std::string& target_relative) {
  const std::string name = name_of(source_relative);
  const std::string display = "/" + target_relative;
  const std::string target_name = name_of(target_relative);
  const auto key = std::make_pair(info.st_dev, info.st_ino);
  if (info.st_nlink > 1) {
    if (auto first = links_.find(key); first != links_.end()) {
      // Another name of a file already copied: a hardlink to that copy, which has the metadata.
      return create_replacing(target_dir, target_name, display, [&] {
        return ::linkat(dest_root_fd_, first->second.c_str(), target_dir, target_name.c_str(), 0);
      });
    }
  }
  os::UniqueFd in(::openat(source_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in.valid()) return errno_status(errno, "open", "/" + source_relative);
  os::UniqueFd out;
  auto status = create_replacing(target_dir, target_name, display, [&] {
    out.reset(::openat(target_dir, target_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    return out.valid() ? 0 : -1;
  });
  if (!status) return status;
  if (status = copy_data(in.get(), out.get(), info, display); !status) return status;
  if (status = set_metadata_fd(out.get(), info, read_xattrs(in.get(), -1, {}), display); !status) return status;
  if (info.st_nlink > 1) links_.emplace(key, target_relative);
  return sdk::Status::ok();
}

sdk::Status Copier::copy_data(int in, int out, const struct stat& info, const std::string& display) {
  if (info.st_size == 0) return sdk::Status::ok();
  if (try_reflink_) {
    if (::ioctl(out, FICLONE, in) == 0) {
      report(static_cast<std::uint64_t>(info.st_size));
      return sdk::Status::ok();
    }
    // Different file systems, or one without shared extents: do not ask again.
    if (errno == EXDEV || errno == EOPNOTSUPP || errno == ENOTTY || errno == EINVAL || errno == ENOSYS)
      try_reflink_ = false;
  }
  if (!try_copy_range_) return copy_data_by_reading(in, out, display);
  // The size from lstat is what is copied: a source tree does not change during a build, and
  // stopping there saves the call that would find the end.
  const auto total = static_cast<std::uint64_t>(info.st_size);
  std::uint64_t copied = 0;
  while (copied < total) {
    if (auto status = check_stop(); !status) return status;
    ssize_t size = ::copy_file_range(in, nullptr, out, nullptr, std::min<std::uint64_t>(total - copied, kChunk), 0);
    if (size > 0) {
      copied += static_cast<std::uint64_t>(size);
      report(static_cast<std::uint64_t>(size));
      continue;
    }
    if (size == 0 && copied > 0) return sdk::Status::ok();  // shrank since lstat
    if (size < 0 && errno == EINTR) continue;
    if (size < 0 && !(copied == 0 && copy_range_unsupported(errno))) return errno_status(errno, "copy", display);
    // Nothing copied: a file system (procfs, some FUSE) that reports 0 or refuses; read instead.
    if (size < 0 && errno != EIO && errno != EINVAL) try_copy_range_ = false;
    return copy_data_by_reading(in, out, display);
  }
  return sdk::Status::ok();
}

sdk::Status Copier::copy_data_by_reading(int in, int out, const std::string& display) {
  if (buffer_.empty()) buffer_.resize(kBufferSize);
  for (std::size_t since_check = 0;;) {
    ssize_t size = ::read(in, buffer_.data(), buffer_.size());
    if (size < 0 && errno == EINTR) continue;
    if (size < 0) return errno_status(errno, "read", display);
    if (size == 0) return sdk::Status::ok();
    if (auto status = write_all(out, {buffer_.data(), static_cast<std::size_t>(size)}, display); !status) return status;
    report(static_cast<std::uint64_t>(size));
    since_check += static_cast<std::size_t>(size);
    if (since_check >= kChunk) {
      since_check = 0;
      if (auto status = check_stop(); !status) return status;
    }
  }
}

// Owner first (chown clears setuid and setgid, and drops security.capability), then mode, then
// xattrs; times last, although nothing here changes them after.
sdk::Status Copier::set_metadata_fd(int fd, const struct stat& info, const std::vector<Xattr>& xattrs,
                                    const std::string& display) {
  const Owner owner = owner_for(info);
  if (::fchown(fd, owner.uid, owner.gid) != 0) return errno_status(errno, "chown", display);
  if (::fchmod(fd, mode_for(info)) != 0) return errno_status(errno, "chmod", display);
  write_xattrs(xattrs, fd, -1, {});
  const auto times = times_for(info);
  if (::futimens(fd, times.data()) != 0) return errno_status(errno, "utime", display);
  return sdk::Status::ok();
}

sdk::Status Copier::set_metadata_at(int dir, const std::string& name, const struct stat& info,
                                    const std::vector<Xattr>& xattrs, const std::string& display) {
  const Owner owner = owner_for(info);
  if (::fchownat(dir, name.c_str(), owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) != 0)
    return errno_status(errno, "chown", display);
  // Symlinks have no mode of their own on Linux; a node we just made is not a symlink.
  if (!S_ISLNK(info.st_mode) && ::fchmodat(dir, name.c_str(), mode_for(info), 0) != 0)
    return errno_status(errno, "chmod", display);
  write_xattrs(xattrs, -1, dir, name);
  const auto times = times_for(info);
  if (::utimensat(dir, name.c_str(), times.data(), AT_SYMLINK_NOFOLLOW) != 0)
    return errno_status(errno, "utime", display);
  return sdk::Status::ok();
}

Owner Copier::owner_for(const struct stat& info) const {
  if (rules_.chown) return *rules_.chown;
  if (rules_.reset_ownership) return {};
  return {info.st_uid, info.st_gid};
}

mode_t Copier::mode_for(const struct stat& info) const {
  return rules_.chmod ? rules_.chmod->apply(info.st_mode) : (info.st_mode & 07777);
}

std::array<timespec, 2> Copier::times_for(const struct stat& info) const {
  if (rules_.time) return {*rules_.time, *rules_.time};
  return {info.st_atim, info.st_mtim};
}

}  // namespace dbuild::fileop::detail
