// posix_file.hpp: the few POSIX file operations the content store needs for durability and
// locking (fsync, rename, flock), with errno turned into Status. std::filesystem has neither
// fsync nor flock.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

#include <dbuild/sdk/status.hpp>

namespace dbuild::content {

/// An owned file descriptor, closed on destruction (which also drops its flock).
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
  void reset() noexcept;

 private:
  int fd_ = -1;
};

/// A Status for a failed system call: `what` and `path` say what was being done to which file.
/// ENOENT is not_found, EACCES/EPERM permission_denied, the rest unavailable (disk full, I/O).
[[nodiscard]] sdk::Status errno_status(int error, std::string_view what, const std::filesystem::path& path);

/// Writes all of `data`, retrying short writes and EINTR.
[[nodiscard]] sdk::Status write_all(int fd, const void* data, std::size_t size, const std::filesystem::path& path);

/// Reads the whole file into a string. Errors: not_found, unavailable.
[[nodiscard]] sdk::Result<std::string> read_file(const std::filesystem::path& path);

/// fsync of a directory, so that a rename or unlink in it survives a crash.
[[nodiscard]] sdk::Status fsync_directory(const std::filesystem::path& directory);

/// Takes an exclusive flock without waiting. Returns false when another open file holds one
/// (in this process or another); errors other than that are reported.
[[nodiscard]] sdk::Result<bool> try_lock_exclusive(int fd, const std::filesystem::path& path);

/// True when `fd` and `path` are the same file: a file we locked has not been unlinked or
/// replaced under us since we opened it.
[[nodiscard]] bool same_file(int fd, const std::filesystem::path& path);

/// Creates `directory` and its parents (0755). Errors: permission_denied, unavailable.
[[nodiscard]] sdk::Status make_directories(const std::filesystem::path& directory);

}  // namespace dbuild::content
