// instructions.hpp: Dockerfile instructions as typed commands, parsed from the syntax tree as
// BuildKit's `instructions` package parses them: flags checked, arguments counted, forms
// (exec/shell, key=value/legacy) told apart. Words are NOT expanded here: the converter expands
// each field with the environment in effect at that instruction (convert/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
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
};

/// A file given inline with a heredoc: RUN <<EOF, COPY <<EOF /dest.
struct InlineFile {
  std::string name;  // the heredoc's delimiter, used as the file name for COPY
  std::string data;
  bool expand = true;
  bool chomp = false;
};

/// RUN, CMD, ENTRYPOINT: exec form (json), or shell form to run with the stage's SHELL.
struct CommandLine {
  std::vector<std::string> args;  // exec form: argv; shell form: one element, the command text
  bool shell_form = false;        // prepend the SHELL when converting
  std::vector<InlineFile> files;  // RUN heredocs
};

struct RunMount {
  enum class Type { Bind, Cache, Tmpfs, Secret, Ssh };
  Type type = Type::Bind;
  std::string from;    // stage, image or build context name for bind/cache
  std::string source;  // path in `from`
  std::string target;
  bool readonly = false;  // bind: read-only unless rw; others: rw unless ro
  bool readonly_given = false;
  std::string cache_id;
  std::string sharing;  // shared | private | locked ("" = shared)
  std::optional<std::uint32_t> mode;
  std::optional<std::uint32_t> uid;
  std::optional<std::uint32_t> gid;
  bool required = false;
  std::int64_t size = 0;  // tmpfs bytes
  std::string env;        // secret: expose as this environment variable
};

struct RunCommand : CommandBase {
  CommandLine command;
  std::vector<RunMount> mounts;
  std::string network;   // "", default, none, host
  std::string security;  // "", sandbox, insecure
  std::vector<std::string> devices;
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
};

struct Dockerfile {
  std::vector<ArgCommand> meta_args;  // ARGs before the first FROM
  std::vector<Stage> stages;
};

/// Parses one instruction node (also an ONBUILD trigger's). Errors: invalid_argument with
/// BuildKit's message ("WORKDIR requires exactly one argument", "unknown instruction: FOO",
/// "unknown flag: --bogus") and the instruction's location.
[[nodiscard]] sdk::Result<Command> parse_command(const Node& node);

/// Parses a whole tree into stages. Errors: as parse_command, plus "no build stage in current
/// context" (an instruction before FROM that is not ARG), with the location.
[[nodiscard]] sdk::Result<Dockerfile> parse_dockerfile(const Node& root);

}  // namespace dbuild::dockerfile
