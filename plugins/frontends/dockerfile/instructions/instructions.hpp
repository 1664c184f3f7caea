// instructions.hpp: Dockerfile instructions as typed commands, parsed from the syntax tree as
// BuildKit's `instructions` package parses them: flags checked, arguments counted, forms
// (exec/shell, key=value/legacy) told apart. Words are NOT expanded here: the converter expands
// each field with the environment in effect at that instruction (convert/).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <dbuild/sdk/status.hpp>

#include "parser/ast.hpp"

namespace dbuild::dockerfile {

struct Location {
  int start_line = 0;  // 1-based
  int end_line = 0;
};

/// What every command has: its keyword (lower case), the instruction as written, and where.
struct CommandBase {
  std::string name;
  std::string original;
  Location location;
};

struct KeyValuePair {
  std::string key;
  std::string value;
  bool legacy_form = false;  // `ENV key value` (no '='), which the lint rule LegacyKeyValueFormat flags
};

struct ArgDefinition {
  std::string key;
  std::optional<std::string> value;  // the default, when given
  std::string comment;               // doc comment: "# key does this" just above, "key " removed
};

/// A file given inline with a heredoc: RUN <<EOF, COPY <<EOF /dest.
struct InlineFile {
  std::string name;  // the heredoc's delimiter, used as the file name for COPY
  std::string data;  // COPY/ADD: leading tabs already removed for <<-; RUN: the raw body
  bool expand = true;
  bool chomp = false;
};

/// RUN, CMD, ENTRYPOINT: exec form (json), or shell form to run with the stage's SHELL.
struct CommandLine {
  std::vector<std::string> args;  // exec form: argv; shell form: one element, the command text
  bool shell_form = false;        // prepend the SHELL when converting
  std::vector<InlineFile> files;  // RUN heredocs
};

/// One RUN --mount, with BuildKit's defaults applied: bind, secret and ssh read-only unless rw,
/// cache and tmpfs writable unless ro; a secret's id is source, else id, else the target's base
/// name (kept in cache_id) and its target /run/secrets/<id> unless env= is given; an ssh mount's
/// id "default" and its target /run/buildkit/ssh_agent.<N> (N counts the RUN's ssh mounts).
/// parse_command fills RunCommand::mounts from the values as written; a spec that only parses once
/// its variables are expanded (`type=$T`) keeps BuildKit's first-pass result (only `from` read)
/// until expand_run_mounts re-parses the specs with the converter's expander, as BuildKit does.
struct RunMount {
  enum class Type { Bind, Cache, Tmpfs, Secret, Ssh };
  Type type = Type::Bind;
  std::string from;    // stage, image or build context name for bind/cache
  std::string source;  // path in `from`
  std::string target;
  bool readonly = false;  // see above for the defaults
  bool readonly_given = false;
  std::string cache_id;  // cache: id= ("" = the converter uses the target); secret/ssh: the id
  std::string sharing;  // shared | private | locked ("" = shared)
  std::optional<std::uint32_t> mode;
  std::optional<std::uint32_t> uid;
  std::optional<std::uint32_t> gid;
  bool required = false;
  std::int64_t size = 0;  // tmpfs bytes
  std::string env;        // secret: expose as this environment variable
  bool env_given = false;  // env= was written (an empty value means the default name)
};

/// One RUN --device: a CDI device name ("vendor.com/device=foo"), required or optional.
struct RunDevice {
  std::string name;
  bool required = false;
};

struct RunCommand : CommandBase {
  CommandLine command;
  std::vector<RunMount> mounts;
  std::string network;   // "" (not given), default, none, host; "default" means what "" means
  std::string security;  // "" (not given), sandbox, insecure
  std::vector<std::string> devices;      // the --device names
  std::vector<RunDevice> device_requests;  // the same, with `required`
  std::vector<std::string> mount_specs;  // the --mount values as written, for expand_run_mounts
  std::vector<std::string> flags_used;   // names of the flags given ("mount", "network"), sorted
};

struct CmdCommand : CommandBase {
  CommandLine command;
};

struct EntrypointCommand : CommandBase {
  CommandLine command;
};

struct EnvCommand : CommandBase {
  std::vector<KeyValuePair> env;
};

struct LabelCommand : CommandBase {
  std::vector<KeyValuePair> labels;
};

struct MaintainerCommand : CommandBase {
  std::string maintainer;
};

/// COPY and ADD share their sources and destination.
struct SourcesAndDest {
  std::vector<std::string> sources;  // paths, wildcards or (ADD) URLs
  std::vector<InlineFile> contents;  // heredoc sources
  std::string dest;
};

struct CopyCommand : CommandBase {
  SourcesAndDest paths;
  std::string from;
  std::string chown;
  std::string chmod;
  bool link = false;
  bool parents = false;
  std::vector<std::string> excludes;
};

struct AddCommand : CommandBase {
  SourcesAndDest paths;
  std::string chown;
  std::string chmod;
  bool link = false;
  std::string checksum;
  bool keep_git_dir = false;
  std::vector<std::string> excludes;
  std::optional<bool> unpack;  // --unpack[=bool], when given
};

struct OnbuildCommand : CommandBase {
  std::string expression;  // the wrapped instruction, as written ("RUN make")
};

struct WorkdirCommand : CommandBase {
  std::string path;
};

struct HealthConfig {
  std::vector<std::string> test;  // {"NONE"}, {"CMD", args...}, {"CMD-SHELL", "command"}
  std::int64_t interval_ns = 0;
  std::int64_t timeout_ns = 0;
  std::int64_t start_period_ns = 0;
  std::int64_t start_interval_ns = 0;
  int retries = 0;
};

struct HealthcheckCommand : CommandBase {
  HealthConfig health;
};

struct ExposeCommand : CommandBase {
  std::vector<std::string> ports;  // as written, expanded and normalised by the converter
};

struct UserCommand : CommandBase {
  std::string user;
};

struct VolumeCommand : CommandBase {
  std::vector<std::string> volumes;
};

struct StopSignalCommand : CommandBase {
  std::string signal;
};

struct ArgCommand : CommandBase {
  std::vector<ArgDefinition> args;
};

struct ShellCommand : CommandBase {
  std::vector<std::string> shell;
};

using Command = std::variant<RunCommand, CmdCommand, EntrypointCommand, EnvCommand, LabelCommand, MaintainerCommand,
                             CopyCommand, AddCommand, OnbuildCommand, WorkdirCommand, HealthcheckCommand,
                             ExposeCommand, UserCommand, VolumeCommand, StopSignalCommand, ArgCommand, ShellCommand>;

struct Stage {
  std::string name;      // lower-cased `AS name`, or "" for an unnamed stage
  std::string base_name; // the FROM image word, unexpanded
  std::string platform;  // FROM --platform, unexpanded
  std::string original;
  Location location;
  std::vector<Command> commands;
  std::string comment;   // doc comment: "# name does this" just above FROM, "name " removed
};

/// What one instruction node is: a command, or (FROM) the start of a stage.
using Instruction = std::variant<Command, Stage>;

struct Dockerfile {
  std::vector<ArgCommand> meta_args;  // ARGs before the first FROM
  std::vector<Stage> stages;
};

/// Parses one instruction node (also an ONBUILD trigger's). Errors: invalid_argument with
/// BuildKit's message ("WORKDIR requires exactly one argument", "unknown instruction: FOO",
/// "unknown flag: --bogus") and the instruction's location (file "Dockerfile"). FROM is not a
/// command: parse it with parse_instruction.
[[nodiscard]] sdk::Result<Command> parse_command(const Node& node);

/// Parses one instruction node into a command or a stage (FROM). Errors: as parse_command.
[[nodiscard]] sdk::Result<Instruction> parse_instruction(const Node& node);

/// Parses a whole tree (parse()'s root, instructions in root.next) into stages. Errors: as
/// parse_command, the message prefixed "dockerfile parse error on line N: " as BuildKit does,
/// and "no build stage in current context" (an instruction before FROM that is not ARG).
[[nodiscard]] sdk::Result<Dockerfile> parse_dockerfile(const Node& root);

/// Expands one word (the converter's lexer with the environment of the instruction).
using WordExpander = std::function<sdk::Result<std::string>(std::string_view word)>;

/// Parses one --mount value. Without an expander it is BuildKit's first pass (only the CSV form,
/// bare keys and `from` without variables are checked; the rest keeps its defaults); with one,
/// each value is expanded and checked: "unsupported mount type "x"", "unexpected key 'x' in
/// 'x=1'", "invalid value for size: x", "secret mount should not have a from", ...
/// Per-RUN defaults (the ssh target) are applied by expand_run_mounts and parse_command.
[[nodiscard]] sdk::Result<RunMount> parse_run_mount(std::string_view spec, const WordExpander* expander);

/// Re-parses a RUN's mount_specs with `expander` into `mounts`, as BuildKit's RunCommand.Expand.
[[nodiscard]] sdk::Status expand_run_mounts(RunCommand& run, const WordExpander& expander);

/// Parses one --device value: "name[,required[=bool]]" or "name=...,required".
[[nodiscard]] sdk::Result<RunDevice> parse_run_device(std::string_view spec);

/// EXPOSE port specs ([ip:][hostPort:]containerPort[-end][/proto]) -> image config keys ("80/tcp"),
/// a range giving one key per port. Errors: invalid_argument ("invalid port: "": no port
/// specified", a hostname instead of an IP, a bad protocol or range).
[[nodiscard]] sdk::Result<std::vector<std::string>> parse_expose_ports(std::string_view spec);

/// The command line of RUN/CMD/ENTRYPOINT/SHELL/HEALTHCHECK CMD: exec form keeps the arguments,
/// shell form joins them with single spaces into one.
[[nodiscard]] std::vector<std::string> handle_json_args(const std::vector<std::string>& args, bool json);

/// A HEALTHCHECK duration flag value (Go duration syntax) in nanoseconds; "" and 0 mean "use the
/// default" (0). Errors: Go's duration errors, or "Interval "<flag>" cannot be less than 1ms".
[[nodiscard]] sdk::Result<std::int64_t> parse_health_duration(std::string_view flag_name, std::string_view value);

}  // namespace dbuild::dockerfile
