// runtime.hpp: finding an OCI runtime on this machine: runc, else crun (with
// --cgroup-manager=disabled where cgroups are hybrid, which crun cannot manage).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::executor {

struct RuntimeInfo {
  std::string name;                      // "runc" or "crun"
  std::vector<std::string> global_args;  // e.g. {"--cgroup-manager=disabled"}

  /// "runc 1.1.5" or "crun 1.8.1 (--cgroup-manager=disabled)": asks the runtime's `--version`
  /// (a few milliseconds: only `dbuild version` and `builder inspect` want it, never a build).
  [[nodiscard]] std::string describe() const;
};

/// The first runtime found on $PATH as an executable file, preferring $DBUILD_RUNTIME (runc or
/// crun) when set. Not run here: a build that runs nothing does not pay for starting it.
/// Errors: failed_precondition, naming what was tried and how to install one.
sdk::Result<RuntimeInfo> detect_runtime();

/// Where the runtime's state and the bundles of `state_root`'s builds live: a directory of ours on
/// a memory file system, as runc's own default (/run/runc) is on most hosts, because each RUN
/// creates and deletes a few files there, which costs milliseconds a step on a disk file system
/// (ext4 looks for a free inode past those freed recently). /run/dbuild when /run is a tmpfs and
/// we are root, else $XDG_RUNTIME_DIR/dbuild, else /dev/shm/dbuild-<uid>; each with a directory
/// per state root (16 hex digits of its path's FNV-1a hash). A directory that exists must be ours
/// (a real directory owned by us, closed to others), else `<state_root>/run` is used.
[[nodiscard]] std::filesystem::path runtime_run_dir(const std::filesystem::path& state_root);

}  // namespace dbuild::executor
