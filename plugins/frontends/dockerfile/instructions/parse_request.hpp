// parse_request.hpp: what each instruction parser receives from its syntax-tree node (BuildKit's
// parseRequest), and the per-instruction parsers the dispatcher in parse_instruction.cpp calls.
// Internal to the instructions library.
#pragma once

#include <string>
#include <vector>

#include <dbuild/sdk/status.hpp>

#include "instructions/builder_flags.hpp"
#include "instructions/instructions.hpp"
#include "parser/ast.hpp"

namespace dbuild::dockerfile {

struct ParseRequest {
  std::string command;             // lower case: "run"
  std::string keyword;             // as written: "Run"
  std::vector<std::string> args;   // ONBUILD: the trigger's keyword, then its arguments
  std::vector<Heredoc> heredocs;
  bool json = false;
  BuilderFlags flags;
  std::string original;
  Location location;
  std::vector<std::string> comments;

  /// name, trimmed original text and location, as every command carries them.
  [[nodiscard]] CommandBase base() const;
};

[[nodiscard]] ParseRequest make_request(const Node& node);

/// The doc comment for `name`: the first comment line starting with "name ", without it.
[[nodiscard]] std::string doc_comment(const std::vector<std::string>& comments, const std::string& name);

sdk::Status error_at_least_one_argument(const std::string& command);
sdk::Status error_exactly_one_argument(const std::string& command);

[[nodiscard]] sdk::Result<Command> parse_key_value_command(ParseRequest& request);  // ENV, LABEL
[[nodiscard]] sdk::Result<Command> parse_single_argument_command(ParseRequest& request);  // MAINTAINER, WORKDIR, USER, STOPSIGNAL
[[nodiscard]] sdk::Result<Command> parse_arg(ParseRequest& request);
[[nodiscard]] sdk::Result<Command> parse_expose(ParseRequest& request);
[[nodiscard]] sdk::Result<Command> parse_volume(ParseRequest& request);
[[nodiscard]] sdk::Result<Command> parse_copy(ParseRequest& request);
[[nodiscard]] sdk::Result<Command> parse_add(ParseRequest& request);
[[nodiscard]] sdk::Result<Command> parse_run(ParseRequest& request);
[[nodiscard]] sdk::Result<Command> parse_healthcheck(ParseRequest& request);

/// Gives each ssh mount without a target /run/buildkit/ssh_agent.<N>, N counting the RUN's ssh mounts.
sdk::Status apply_ssh_targets(std::vector<RunMount>& mounts);

/// The shell-dependent command line of RUN/CMD/ENTRYPOINT, with RUN's heredoc files.
[[nodiscard]] CommandLine command_line(const ParseRequest& request);

}  // namespace dbuild::dockerfile
