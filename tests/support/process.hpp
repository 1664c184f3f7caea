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

/// Splits `text` into lines, without the line ends.
std::vector<std::string> lines_of(const std::string& text);

}  // namespace dbuild::test
