// file_lock.cpp: flock-based locks.
#include "os/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <cstring>

namespace dbuild::os {

sdk::Result<FileLock> FileLock::acquire(const std::filesystem::path& path, LockMode mode, LockWait wait) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.valid())
    return sdk::Status::unavailable("opening lock file " + path.string() + ": " + std::strerror(errno));
  int operation = (mode == LockMode::Shared ? LOCK_SH : LOCK_EX) | (wait == LockWait::Try ? LOCK_NB : 0);
  while (::flock(fd.get(), operation) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return sdk::Status::failed_precondition("lock " + path.string() + " is held");
    return sdk::Status::unavailable("locking " + path.string() + ": " + std::strerror(errno));
  }
  return FileLock(std::move(fd));
}

}  // namespace dbuild::os
