// runtime.hpp: finding an OCI runtime on this machine: runc, else crun (with
// --cgroup-manager=disabled where cgroups are hybrid, which crun cannot manage).
#pragma once

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

}  // namespace dbuild::executor
