// process.hpp: running a program from a test and capturing what it said, for integration tests
// that drive the real `dbuild` binary.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dbuild::test {

struct ProcessResult {
  int exit_code = -1;  // the exit status, or 128+signal when killed by a signal
  std::string out;
  std::string err;
};

struct ProcessOptions {
  /// Set (or, with nullopt, unset) these variables on top of the test's own environment.
  std::map<std::string, std::optional<std::string>> environment;
  std::string input;        // written to the program's stdin, which is then closed
  std::string working_dir;  // empty: the test's own
};

/// Runs `argv` (argv[0] is a path or a name looked up in PATH) and waits for it.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

/// A program running in the background, its output going to files, for tests that must act
/// while it runs (send SIGINT mid-build).
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const ProcessOptions& options = {});
  ~BackgroundProcess();  // kills the process if still running
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  /// Waits until stdout or stderr contains `text`; false on timeout or exit.
  bool wait_for_output(const std::string& text, int timeout_seconds);
  void send_signal(int signal);
  /// What the process wrote so far: its stdout, then its stderr.
  [[nodiscard]] std::string output() const { return read_all(); }
  /// Waits for the process to end; the ProcessResult holds its output.
  ProcessResult wait();
  [[nodiscard]] int pid() const { return pid_; }

 private:
  std::string read_all() const;
  int pid_ = -1;
  std::string out_path_;
  std::string err_path_;
  bool done_ = false;
  int exit_code_ = -1;
};

/// Splits `text` into lines, without the line ends.
std::vector<std::string> lines_of(const std::string& text);

}  // namespace dbuild::test
