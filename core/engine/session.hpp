// session.hpp: one dbuild process's claim on a state root. Its directory holds the mounts,
// runtime bundles and scratch files of the builds it runs, and a lock held while it lives, so
// that the next process can tell a dead session (killed, crashed) from a live one and clean up
// after it: unmount, delete containers, drop unfinished snapshots.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include <dbuild/sdk/status.hpp>

#include "os/file_lock.hpp"

namespace dbuild::engine {

class Session {
 public:
  /// Creates `<state_root>/sessions/<name>/` and takes its lock. Errors: unavailable.
  static sdk::Result<Session> create(const std::filesystem::path& state_root);

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
  [[nodiscard]] std::filesystem::path mounts_dir() const { return dir_ / "mounts"; }
  [[nodiscard]] std::filesystem::path bundles_dir() const { return dir_ / "bundles"; }
  [[nodiscard]] std::filesystem::path scratch_dir() const { return dir_ / "scratch"; }

  /// Unmounts what is left under mounts/ and removes the directory. The lock goes with it.
  void close();

 private:
  Session(std::string name, std::filesystem::path dir, os::FileLock lock)
      : name_(std::move(name)), dir_(std::move(dir)), lock_(std::move(lock)) {}

  std::string name_;
  std::filesystem::path dir_;
  os::FileLock lock_;
};

/// What to do for each dead session found: called with its name before its directory goes.
using DeadSessionCleanup = std::function<void(const std::string& name)>;

/// Finds sessions whose lock nobody holds, unmounts everything below their directories, calls
/// `cleanup`, and removes them. Returns how many it cleaned.
std::size_t clean_dead_sessions(const std::filesystem::path& state_root, const DeadSessionCleanup& cleanup);

/// True while the process of session `name` holds its lock (false once it died or ended).
[[nodiscard]] bool session_alive(const std::filesystem::path& state_root, const std::string& name);

/// Unmounts every mount point at or below `dir` (deepest first), lazily when busy.
void unmount_below(const std::filesystem::path& dir);

}  // namespace dbuild::engine
