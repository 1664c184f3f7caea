// file_lock.hpp: advisory whole-file locks (flock) for coordinating dbuild processes that share a
// state root. A lock dies with its process, which is what makes them safe after kill -9.
#pragma once

#include <filesystem>

#include <dbuild/sdk/status.hpp>

#include "os/unique_fd.hpp"

namespace dbuild::os {

enum class LockMode { Shared, Exclusive };
enum class LockWait { Block, Try };

class FileLock {
 public:
  FileLock() = default;
  /// Opens (creating) `path` and locks it. With LockWait::Try, a lock held elsewhere gives
  /// failed_precondition. Errors: unavailable (cannot open).
  static sdk::Result<FileLock> acquire(const std::filesystem::path& path, LockMode mode, LockWait wait);

  [[nodiscard]] bool held() const noexcept { return fd_.valid(); }
  void release() noexcept { fd_.reset(); }

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace dbuild::os
