// parse_instruction.cpp: one syntax-tree node -> a typed instruction (BuildKit's
// instructions.ParseInstruction): the dispatch by keyword, FROM, ONBUILD, CMD, ENTRYPOINT, SHELL.
#include <array>
#include <utility>

#include "instructions/parse_request.hpp"
#include "instructions/suggest.hpp"
#include "parser/text.hpp"

namespace dbuild::dockerfile {
namespace {

namespace text = parser_text;

constexpr std::array<std::string_view, 18> kInstructionNames = {
    "add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck",
    "label", "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir"};

void append_node_args(const Node& node, std::vector<std::string>& out) {
  for (const auto& argument : node.next) out.push_back(argument.value);
  for (const auto& trigger : node.children) {
    out.push_back(trigger.keyword_as_written.empty() ? trigger.value : trigger.keyword_as_written);
    append_node_args(trigger, out);
  }
}

const std::string& keyword_of(const Node& node) {
  return node.keyword_as_written.empty() ? node.value : node.keyword_as_written;
}

sdk::Result<std::string> build_stage_name(const std::vector<std::string>& args) {
  if (args.size() == 3 && text::equal_fold(args[1], "as")) {
    std::string name = text::to_lower(args[2]);
    bool valid = !name.empty() && name[0] >= 'a' && name[0] <= 'z';
    for (char c : name)
      valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.');
    if (!valid)
      return sdk::Status::invalid_argument("invalid name for build stage: " + text::quote(args[2]) +
                                           ", name can't start with a number or contain symbols");
    return name;
  }
  if (args.size() != 1) return sdk::Status::invalid_argument("FROM requires either one or three arguments");
  return std::string();
}

sdk::Result<Stage> parse_from(ParseRequest& request) {
  auto name = build_stage_name(request.args);
  if (!name) return name.status();
  Flag& platform = request.flags.add_string("platform", "");
  if (auto status = request.flags.parse(); !status) return status;
  Stage stage;
  stage.name = std::move(*name);
  stage.base_name = request.args[0];
  stage.platform = platform.value;
  stage.original = std::string(text::trim_space(request.original));
  stage.location = request.location;
  stage.comment = doc_comment(request.comments, stage.name);
  return stage;
}

// BuildKit's `(?i)^\s*ONBUILD\s*` removed from the instruction's text.
std::string trigger_expression(const std::string& original) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; };
  std::size_t i = 0;
  while (i < original.size() && is_space(original[i])) ++i;
  if (!text::equal_fold(std::string_view(original).substr(i, 7), "onbuild")) return original;
  i += 7;
  while (i < original.size() && is_space(original[i])) ++i;
  return original.substr(i);
}

sdk::Result<Command> parse_onbuild(ParseRequest& request) {
  if (request.args.empty()) return error_at_least_one_argument("ONBUILD");
  if (auto status = request.flags.parse(); !status) return status;
  const std::string trigger = text::to_upper(text::trim_space(request.args[0]));
  if (trigger == "ONBUILD") return sdk::Status::invalid_argument("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  if (trigger == "MAINTAINER" || trigger == "FROM")
    return sdk::Status::invalid_argument(trigger + " isn't allowed as an ONBUILD trigger");
  OnbuildCommand command{request.base()};
  command.expression = trigger_expression(request.original);
  for (const auto& heredoc : request.heredocs) command.expression += "\n" + heredoc.content + heredoc.name;
  return Command{std::move(command)};
}

sdk::Result<Command> parse_cmd(ParseRequest& request) {
  if (auto status = request.flags.parse(); !status) return status;
  return Command{CmdCommand{request.base(), command_line(request)}};
}

sdk::Result<Command> parse_entrypoint(ParseRequest& request) {
  if (auto status = request.flags.parse(); !status) return status;
  return Command{EntrypointCommand{request.base(), command_line(request)}};
}

sdk::Result<Command> parse_shell(ParseRequest& request) {
  if (auto status = request.flags.parse(); !status) return status;
  auto shell = handle_json_args(request.args, request.json);
  if (shell.empty()) return error_at_least_one_argument("SHELL");
  if (!request.json) return sdk::Status::invalid_argument("SHELL requires the arguments to be in JSON form");
  return Command{ShellCommand{request.base(), std::move(shell)}};
}

sdk::Result<Command> parse_by_keyword(ParseRequest& request) {
  const std::string& c = request.command;
  if (c == "env" || c == "label") return parse_key_value_command(request);
  if (c == "maintainer" || c == "workdir" || c == "user" || c == "stopsignal")
    return parse_single_argument_command(request);
  if (c == "add") return parse_add(request);
  if (c == "copy") return parse_copy(request);
  if (c == "onbuild") return parse_onbuild(request);
  if (c == "run") return parse_run(request);
  if (c == "cmd") return parse_cmd(request);
  if (c == "healthcheck") return parse_healthcheck(request);
  if (c == "entrypoint") return parse_entrypoint(request);
  if (c == "expose") return parse_expose(request);
  if (c == "volume") return parse_volume(request);
  if (c == "arg") return parse_arg(request);
  if (c == "shell") return parse_shell(request);
  std::vector<std::string> names;
  for (auto name : kInstructionNames) names.push_back(text::to_upper(name));
  const std::string& keyword = request.keyword;
  return sdk::Status::invalid_argument(with_suggestion("unknown instruction: " + keyword, keyword, names, false));
}

sdk::SourceLocation location_of(const Node& node) { return {"Dockerfile", node.start_line, node.end_line}; }

}  // namespace

CommandBase ParseRequest::base() const { return {command, std::string(text::trim_space(original)), location}; }

ParseRequest make_request(const Node& node) {
  ParseRequest request;
  request.command = text::to_lower(node.value);
  request.keyword = keyword_of(node);
  append_node_args(node, request.args);
  request.heredocs = node.heredocs;
  request.json = node.json;
  request.flags = BuilderFlags(node.flags);
  request.original = node.original;
  request.location = {node.start_line, node.end_line};
  request.comments = node.comments;
  return request;
}

std::string doc_comment(const std::vector<std::string>& comments, const std::string& name) {
  if (name.empty()) return "";
  for (const auto& line : comments)
    if (line.rfind(name + " ", 0) == 0) return line.substr(name.size() + 1);
  return "";
}

sdk::Status error_at_least_one_argument(const std::string& command) {
  return sdk::Status::invalid_argument(command + " requires at least one argument");
}

sdk::Status error_exactly_one_argument(const std::string& command) {
  return sdk::Status::invalid_argument(command + " requires exactly one argument");
}

std::vector<std::string> handle_json_args(const std::vector<std::string>& args, bool json) {
  if (args.empty()) return {};
  if (json) return args;
  std::string joined;
  for (std::size_t i = 0; i < args.size(); ++i) joined += (i > 0 ? " " : "") + args[i];
  return {joined};
}

CommandLine command_line(const ParseRequest& request) {
  CommandLine line;
  line.args = handle_json_args(request.args, request.json);
  line.shell_form = !request.json;
  for (const auto& heredoc : request.heredocs)
    line.files.push_back(InlineFile{heredoc.name, heredoc.content, heredoc.expand, heredoc.chomp});
  return line;
}

sdk::Result<Instruction> parse_instruction(const Node& node) {
  ParseRequest request = make_request(node);
  if (request.command == "from") {
    auto stage = parse_from(request);
    if (!stage) return std::move(stage).status().with_location(location_of(node));
    return Instruction{std::move(*stage)};
  }
  auto command = parse_by_keyword(request);
  if (!command) return std::move(command).status().with_location(location_of(node));
  return Instruction{std::move(*command)};
}

sdk::Result<Command> parse_command(const Node& node) {
  auto instruction = parse_instruction(node);
  if (!instruction) return instruction.status();
  if (auto* command = std::get_if<Command>(&*instruction)) return std::move(*command);
  return sdk::Status::invalid_argument("FROM is not a command: it starts a build stage")
      .with_location(location_of(node));
}

}  // namespace dbuild::dockerfile
