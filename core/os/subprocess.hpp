// subprocess.hpp: running helper programs (runc, mount helpers, credential helpers) with their
// output captured or streamed, and with a way to stop them.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::os {

struct SubprocessOptions {
  std::map<std::string, std::optional<std::string>> environment;  // set, or unset with nullopt
  std::string input;                 // fed to stdin, which is then closed (default: /dev/null)
  bool new_process_group = true;     // so that a terminal's Ctrl-C reaches only dbuild
};

/// Receives output as it arrives: stream 1 is stdout, 2 is stderr.
using OutputCallback = std::function<void(int stream, std::string_view data)>;

/// Called when `stop` is requested while the child runs; it should make the child exit (the
/// default sends SIGKILL to the child's process group).
using StopAction = std::function<void(pid_t pid)>;

struct SubprocessResult {
  int exit_code = -1;   // exit status, or 128 + signal number
  std::string out;      // captured when no callback was given
  std::string err;
};

/// Where `name` is found as run_subprocess would find it: `name` itself when it holds a slash,
/// else the first executable regular file `name` in $PATH's directories (an empty entry is the
/// current directory; without $PATH, /bin:/usr/bin as posix_spawnp searches). Runs nothing.
[[nodiscard]] std::optional<std::filesystem::path> find_program(std::string_view name);

/// Runs argv (argv[0] looked up in PATH) to completion. Errors: not_found (no such program),
/// unavailable (fork or pipe failed). A non-zero exit is not an error: check exit_code.
sdk::Result<SubprocessResult> run_subprocess(const std::vector<std::string>& argv, const SubprocessOptions& options = {},
                                             const OutputCallback& on_output = nullptr, std::stop_token stop = {},
                                             const StopAction& on_stop = nullptr);

}  // namespace dbuild::os
