// parse_simple.cpp: the instructions that only count and check their arguments: ENV, LABEL,
// ARG, MAINTAINER, WORKDIR, USER, STOPSIGNAL, EXPOSE, VOLUME (BuildKit's argument rules).
#include <algorithm>

#include "instructions/parse_request.hpp"
#include "parser/text.hpp"

namespace dbuild::dockerfile {
namespace {

// The parser gives ENV and LABEL (key, value, separator) triples; "" marks `KEY value`.
sdk::Result<std::vector<KeyValuePair>> key_value_pairs(const std::vector<std::string>& args,
                                                       const std::string& command) {
  if (args.empty()) return error_at_least_one_argument(command);
  if (args.size() % 3 != 0) return sdk::Status::invalid_argument("Bad input to " + command + ", too many arguments");
  std::vector<KeyValuePair> pairs;
  for (std::size_t i = 0; i < args.size(); i += 3) {
    if (args[i].empty()) return sdk::Status::invalid_argument(command + " names can not be blank");
    pairs.push_back(KeyValuePair{args[i], args[i + 1], args[i + 2].empty()});
  }
  return pairs;
}

}  // namespace

sdk::Result<Command> parse_key_value_command(ParseRequest& request) {
  if (auto status = request.flags.parse(); !status) return status;
  const bool env = request.command == "env";
  auto pairs = key_value_pairs(request.args, env ? "ENV" : "LABEL");
  if (!pairs) return pairs.status();
  if (env) return Command{EnvCommand{request.base(), std::move(*pairs)}};
  return Command{LabelCommand{request.base(), std::move(*pairs)}};
}

sdk::Result<Command> parse_single_argument_command(ParseRequest& request) {
  const std::string name = parser_text::to_upper(request.command);
  if (request.args.size() != 1) return error_exactly_one_argument(name);
  // BuildKit never checks STOPSIGNAL's flags.
  if (name != "STOPSIGNAL") {
    if (auto status = request.flags.parse(); !status) return status;
  }
  const std::string& value = request.args[0];
  if (name == "MAINTAINER") return Command{MaintainerCommand{request.base(), value}};
  if (name == "WORKDIR") return Command{WorkdirCommand{request.base(), value}};
  if (name == "USER") return Command{UserCommand{request.base(), value}};
  return Command{StopSignalCommand{request.base(), value}};
}

// ARG name[=default] ...; BuildKit never checks ARG's flags.
sdk::Result<Command> parse_arg(ParseRequest& request) {
  if (request.args.empty()) return error_at_least_one_argument("ARG");
  ArgCommand command{request.base()};
  for (const auto& arg : request.args) {
    ArgDefinition definition;
    const auto equals = arg.find('=');
    if (equals != std::string::npos) {
      if (equals == 0) return sdk::Status::invalid_argument("ARG names can not be blank");
      definition.key = arg.substr(0, equals);
      definition.value = arg.substr(equals + 1);
    } else {
      definition.key = arg;
    }
    definition.comment = doc_comment(request.comments, definition.key);
    command.args.push_back(std::move(definition));
  }
  return Command{std::move(command)};
}

sdk::Result<Command> parse_expose(ParseRequest& request) {
  if (request.args.empty()) return error_at_least_one_argument("EXPOSE");
  if (auto status = request.flags.parse(); !status) return status;
  std::vector<std::string> ports = request.args;
  std::sort(ports.begin(), ports.end());  // BuildKit sorts the words as written
  return Command{ExposeCommand{request.base(), std::move(ports)}};
}

sdk::Result<Command> parse_volume(ParseRequest& request) {
  if (request.args.empty()) return error_at_least_one_argument("VOLUME");
  if (auto status = request.flags.parse(); !status) return status;
  VolumeCommand command{request.base()};
  for (const auto& volume : request.args) {
    auto trimmed = parser_text::trim_space(volume);
    if (trimmed.empty()) return sdk::Status::invalid_argument("VOLUME specified can not be an empty string");
    command.volumes.emplace_back(trimmed);
  }
  return Command{std::move(command)};
}

}  // namespace dbuild::dockerfile
