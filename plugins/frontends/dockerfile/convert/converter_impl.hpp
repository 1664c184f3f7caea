// converter_impl.hpp: the converter's state and steps, shared by its .cpp files (stages and
// args in converter.cpp; RUN in dispatch_run.cpp; COPY and ADD in dispatch_copy.cpp; the
// metadata instructions in dispatch_config.cpp). Not a public header.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "convert/converter.hpp"
#include "convert/image_config.hpp"
#include "shell/lexer.hpp"

namespace dbuild::dockerfile {

/// One stage while it is converted.
struct StageState {
  const Stage* stage = nullptr;
  std::size_t index = 0;
  std::string display_name;  // "build", "stage-1", or "" when the Dockerfile has one stage
  std::optional<sdk::OpIndex> state;  // the tree so far; none: scratch
  ImageConfig image;
  std::map<std::string, std::string> args;  // ARGs declared in this stage that have a value
  bool cmd_set = false;                     // CMD given in this stage (ENTRYPOINT then keeps it)
  int cmd_index = 0;
  int cmd_total = 0;
  sdk::Platform platform;
  bool ignore_cache = false;
  bool converted = false;
  bool in_progress = false;
};

/// Where COPY --from or RUN --mount from=... reads: a stage's result, an image, the context.
struct SourceRef {
  std::optional<sdk::OpIndex> op;  // none: scratch
};

class Converter {
 public:
  Converter(const Dockerfile& dockerfile, const ConvertOptions& options, sdk::FrontendContext& context);
  sdk::Result<ConvertResult> run();

 private:
  // converter.cpp: stages, args, names, expansion.
  sdk::Status resolve_global_args();
  sdk::Result<std::size_t> target_stage() const;
  std::optional<std::size_t> find_stage(std::string_view name_or_index, std::size_t before) const;
  sdk::Status convert_stage(std::size_t index);
  sdk::Status start_stage(StageState& stage);
  sdk::Status run_onbuild_triggers(StageState& stage);
  sdk::Status dispatch(StageState& stage, const Command& command);
  sdk::Result<std::string> expand(const StageState& stage, std::string_view word, const Location& location) const;
  sdk::Result<std::string> expand_global(std::string_view word, const Location& location) const;
  EnvLookup lookup_for(const StageState& stage) const;
  std::string step_name(StageState& stage, const std::string& text);
  sdk::OpMetadata metadata(StageState& stage, const std::string& text, const Location& location);
  sdk::SourceLocation source_location(const Location& location) const;
  sdk::Status error_at(const Location& location, sdk::Status status) const;
  sdk::Result<SourceRef> resolve_source(const std::string& name, const Location& location, StageState& stage);
  sdk::OpIndex context_source();
  sdk::OpIndex image_source(const std::string& reference, const sdk::Platform& platform, const std::string& name);
  void commit_history(StageState& stage, const std::string& created_by, bool with_layer);
  std::vector<std::string> run_env(const StageState& stage) const;

  // dispatch_run.cpp
  sdk::Status dispatch_run(StageState& stage, const RunCommand& command);
  sdk::Result<std::vector<std::string>> command_args(const StageState& stage, const CommandLine& line,
                                                     const Location& location);

  // dispatch_copy.cpp
  sdk::Status dispatch_copy(StageState& stage, const SourcesAndDest& paths, const std::string& from,
                            const std::string& chown, const std::string& chmod, const std::vector<std::string>& excludes,
                            bool parents, bool is_add, const std::string& checksum, const CommandBase& command);

  // dispatch_config.cpp
  sdk::Status dispatch_config(StageState& stage, const Command& command);
  sdk::Status dispatch_workdir(StageState& stage, const WorkdirCommand& command);

  const Dockerfile& dockerfile_;
  const ConvertOptions& options_;
  sdk::FrontendContext& context_;
  Lexer lexer_;
  sdk::Definition definition_;
  std::vector<StageState> stages_;
  std::map<std::string, std::string> global_args_;  // meta ARGs with their values
  std::set<std::string> global_declared_;
  std::optional<sdk::OpIndex> context_op_;
  std::map<std::string, sdk::OpIndex> image_ops_;
  std::vector<Warning> warnings_;
  std::string created_;  // history timestamps
};

/// Args every stage may use without declaring them: the proxy variables.
[[nodiscard]] bool is_proxy_arg(std::string_view name);
/// BUILDPLATFORM, TARGETOS, ... for the given platforms.
[[nodiscard]] std::map<std::string, std::string> platform_args(const sdk::Platform& build, const sdk::Platform& target);
/// "/app" + "sub" -> "/app/sub"; absolute paths stay; the result is cleaned.
[[nodiscard]] std::string join_workdir(const std::string& workdir, const std::string& path);
/// "user[:group]" as an Ownership.
[[nodiscard]] sdk::Ownership ownership_of(const std::string& spec);

}  // namespace dbuild::dockerfile
