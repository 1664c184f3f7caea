// executor.hpp: runs one build step's process in a container. The solver prepares the root file
// system and mounts; the executor turns a RunSpec into a running container and back.
#pragma once

#include <functional>
#include <stop_token>
#include <string>
#include <string_view>

#include <dbuild/sdk/status.hpp>

#include "executor/run_spec.hpp"

namespace dbuild::executor {

struct ExecResult {
  int exit_code = 0;
  /// Set when the runtime itself failed (the process never started: a missing binary, a bad
  /// mount): the runtime's own message. exit_code is then the runtime's.
  std::string runtime_error;
};

/// Receives the process's output: stream 1 stdout, 2 stderr. Called from the executing thread.
using ExecOutput = std::function<void(int stream, std::string_view data)>;

class Executor {
 public:
  virtual ~Executor() = default;

  /// Runs `spec` to completion, streaming its output. When `stop` is requested the container is
  /// killed and the call returns cancelled. The container, its bundle and any mount point stubs
  /// it created in the rootfs are gone when this returns, whatever happened.
  /// Errors: cancelled, unavailable (the runtime could not be run).
  [[nodiscard]] virtual sdk::Result<ExecResult> run(const RunSpec& spec, const ExecOutput& output,
                                                    std::stop_token stop) = 0;

  /// "runc 1.1.5" or "crun 1.8.1 (--cgroup-manager=disabled)".
  [[nodiscard]] virtual std::string describe() const = 0;
};

}  // namespace dbuild::executor
