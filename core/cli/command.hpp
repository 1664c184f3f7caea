// command.hpp: the command tree of `dbuild` and the parser each command uses for its flags.
// A command either runs or holds sub-commands; every level answers --help.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>

#include <dbuild/sdk/status.hpp>

#include "cli/app.hpp"

namespace dbuild::cli {

namespace po = boost::program_options;

/// Exit codes: what a script may rely on.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the command ran and failed (a failed build, a missing image)
inline constexpr int kExitUsage = 2;    // the command line itself is wrong

struct Command {
  std::string_view name;
  std::string_view summary;
  /// Runs the command with the arguments after its name; `path` is e.g. "dbuild plugin ls".
  std::function<int(App& app, std::span<const std::string> args, const std::string& path)> run;
  std::vector<Command> subcommands;
};

/// Parses one command's flags and positional arguments with Boost.Program_options, and prints
/// its help. Usage: declare options, then `if (auto exit = parser.parse(app, args)) return *exit;`.
class CommandParser {
 public:
  /// `usage` follows the path in the help's first line, e.g. "[OPTIONS] NAME".
  CommandParser(std::string path, std::string usage, std::string summary);

  po::options_description_easy_init add_options() { return options_.add_options(); }
  /// Declares positional arguments, stored under `name`; max_count -1 means unbounded.
  void positional(const char* name, int max_count, int min_count);

  /// Parses `args`. Returns an exit code when the command should stop now: 0 after printing
  /// help, kExitUsage after reporting a usage error.
  [[nodiscard]] std::optional<int> parse(App& app, std::span<const std::string> args);

  [[nodiscard]] const po::variables_map& values() const { return values_; }
  [[nodiscard]] std::vector<std::string> positionals() const;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string usage_;
  std::string summary_;
  po::options_description options_{"Options"};
  po::positional_options_description positional_;
  std::string positional_name_;
  int min_positionals_ = 0;
  int max_positionals_ = 0;
  po::variables_map values_;
};

/// Prints "error: MESSAGE" and the hint to run `PATH --help`; returns kExitUsage.
int usage_error(App& app, const std::string& path, std::string_view message);

/// Prints a Status as the CLI shows errors (message, location, hint); returns the exit code its
/// code maps to: invalid_argument from the command line is the caller's to map, all else is 1.
int report_error(App& app, const sdk::Status& status);

/// Dispatches `args` (everything after "dbuild") through the command tree.
int run_command_tree(App& app, const Command& root, std::span<const std::string> args, const std::string& path);

/// The whole tree; each command lives in its own *_command.cpp.
Command root_command();
Command version_command();
Command plugin_command();
Command build_command();
Command history_command();
Command images_command();
Command imagetools_command();
Command login_command();
Command logout_command();
Command du_command();
Command prune_command();

}  // namespace dbuild::cli
