// converter_impl.hpp: the converter's state and steps, shared by its .cpp files (stages and
// args in converter.cpp; which stage reads which in stage_graph.cpp; predefined build args in
// build_args.cpp; RUN in dispatch_run.cpp; COPY and ADD in dispatch_copy.cpp; the metadata
// instructions in dispatch_config.cpp). Not a public header.
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
  std::string base_name;     // the FROM word expanded with the global args
  std::optional<std::size_t> base_stage;  // FROM names an earlier stage
  /// The stages this one reads with COPY --from or RUN --mount from=, each with the instruction
  /// that reads it (for the locations of a circular dependency).
  std::vector<std::pair<std::size_t, Location>> deps;
  std::optional<sdk::OpIndex> state;  // the tree so far; none: scratch
  ImageConfig image;
  std::map<std::string, std::string> args;  // ARGs declared in this stage that have a value
  bool cmd_set = false;                     // CMD given in this stage (ENTRYPOINT then keeps it)
  int cmd_index = 0;
  int cmd_total = 0;
  sdk::Platform platform;
  bool ignore_cache = false;
  bool in_onbuild = false;  // dispatching the base image's ONBUILD triggers
  bool converted = false;
  bool in_progress = false;
};

/// Where COPY --from or RUN --mount from=... reads: a stage's result, an image, the context.
struct SourceRef {
  std::optional<sdk::OpIndex> op;  // none: scratch
};

/// Who reads a source, for BuildKit's message when the stage comes later in the Dockerfile.
struct SourceUse {
  enum class Kind { Copy, Mount } kind = Kind::Copy;
  std::string mount_target;  // Mount: the target as written
};

class Converter {
 public:
  Converter(const Dockerfile& dockerfile, const ConvertOptions& options, sdk::FrontendContext& context);
  sdk::Result<ConvertResult> run();

 private:
  // converter.cpp: stages, args, names, expansion.
  sdk::Status resolve_global_args();
  sdk::Status resolve_epoch();
  sdk::Status prepare_stages();
  sdk::Status parse_stage_platform(StageState& state) const;
  sdk::Result<std::size_t> target_stage() const;
  /// The last stage named `name` (any case) among the first `before`; BuildKit keeps the last
  /// of duplicate names.
  std::optional<std::size_t> find_stage_by_name(std::string_view name, std::size_t before) const;
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
  sdk::Result<SourceRef> resolve_source(const std::string& name, const Location& location, StageState& stage,
                                        const SourceUse& use);
  sdk::Result<SourceRef> stage_source(std::size_t index, const std::string& name, const Location& location,
                                      StageState& stage, const SourceUse& use);
  sdk::Result<SourceRef> resolved_image_source(const std::string& name, const Location& location, StageState& stage);
  sdk::OpIndex context_source();
  sdk::OpIndex image_source(const std::string& reference, const sdk::Platform& platform, const std::string& name,
                            const Location& location);
  void commit_history(StageState& stage, const std::string& created_by, bool with_layer);
  std::vector<std::string> run_env(const StageState& stage) const;

  // stage_graph.cpp: which stages each stage reads, checked for cycles before converting.
  sdk::Result<std::optional<std::size_t>> copy_from_stage(const std::string& from, const Location& location) const;
  sdk::Status collect_dependencies(StageState& stage) const;
  sdk::Status check_circular_dependencies() const;
  /// BuildKit's name for a stage in messages: its name, or "stage-N".
  std::string stage_name_of(std::size_t index) const;

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
  std::map<std::string, std::string> build_args_;   // --build-arg, SOURCE_DATE_EPOCH normalised
  std::optional<ProxyEnv> proxy_env_;
  std::map<std::string, std::string> global_args_;  // meta ARGs with their values
  std::set<std::string> global_declared_;
  std::optional<sdk::OpIndex> context_op_;
  std::map<std::string, sdk::OpIndex> image_ops_;
  std::vector<Warning> warnings_;
  std::string created_;  // history timestamps
};

/// BUILDPLATFORM, TARGETOS, ... for the given platforms.
[[nodiscard]] std::map<std::string, std::string> platform_args(const sdk::Platform& build, const sdk::Platform& target);
/// "/app" + "sub" -> "/app/sub"; absolute paths stay; the result is cleaned.
[[nodiscard]] std::string join_workdir(const std::string& workdir, const std::string& path);
/// "user[:group]" as an Ownership.
[[nodiscard]] sdk::Ownership ownership_of(const std::string& spec);

}  // namespace dbuild::dockerfile
