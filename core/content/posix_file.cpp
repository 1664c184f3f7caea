// posix_file.cpp: errno-checked wrappers over open/read/write/fsync/flock.
#include "content/posix_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

namespace dbuild::content {

namespace fs = std::filesystem;

void UniqueFd::reset() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

sdk::Status errno_status(int error, std::string_view what, const fs::path& path) {
  auto message = fmt::format("{} {}: {}", what, path.string(), std::strerror(error));
  switch (error) {
    case ENOENT: return sdk::Status::not_found(std::move(message));
    case EACCES:
    case EPERM: return sdk::Status::permission_denied(std::move(message));
    default: return sdk::Status::unavailable(std::move(message));
  }
}

sdk::Status write_all(int fd, const void* data, std::size_t size, const fs::path& path) {
  const auto* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t written = ::write(fd, bytes, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return errno_status(errno, "writing", path);
    }
    bytes += written;
    size -= static_cast<std::size_t>(written);
  }
  return sdk::Status::ok();
}

sdk::Result<std::string> read_file(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_status(errno, "opening", path);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return errno_status(errno, "reading", path);
  std::string content;
  content.resize(static_cast<std::size_t>(info.st_size));
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t got = ::read(fd.get(), content.data() + done, content.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return errno_status(errno, "reading", path);
    if (got == 0) break;  // shorter than fstat said: blobs never shrink, but do not loop forever
    done += static_cast<std::size_t>(got);
  }
  content.resize(done);
  return content;
}

sdk::Status fsync_directory(const fs::path& directory) {
  UniqueFd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return errno_status(errno, "opening directory", directory);
  if (::fsync(fd.get()) != 0) return errno_status(errno, "syncing directory", directory);
  return sdk::Status::ok();
}

sdk::Result<bool> try_lock_exclusive(int fd, const fs::path& path) {
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return true;
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return false;
    return errno_status(errno, "locking", path);
  }
}

bool same_file(int fd, const fs::path& path) {
  struct stat by_fd {};
  struct stat by_path {};
  if (::fstat(fd, &by_fd) != 0 || ::lstat(path.c_str(), &by_path) != 0) return false;
  return by_fd.st_dev == by_path.st_dev && by_fd.st_ino == by_path.st_ino;
}

sdk::Status make_directories(const fs::path& directory) {
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) return errno_status(error.value(), "creating directory", directory);
  return sdk::Status::ok();
}

}  // namespace dbuild::content
