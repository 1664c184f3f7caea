// converter.cpp: stages (FROM, named contexts, which stages the target needs), ARG scoping,
// word expansion with the environment in effect, and BuildKit's step names and history.
#include "convert/converter_impl.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>

#include "instructions/suggest.hpp"
#include "parser/parser.hpp"
#include "dbuild/sdk/time.hpp"

namespace dbuild::dockerfile {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// BuildKit's uppercaseCmd: step names show the instruction upper-cased ("run make" -> "RUN make").
std::string uppercase_command(std::string text) {
  const auto end = std::min(text.find(' '), text.size());
  std::transform(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(end), text.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  return text;
}

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr const char* kEpochArg = "SOURCE_DATE_EPOCH";

bool creates_step(const Command& command) {
  return std::holds_alternative<RunCommand>(command) || std::holds_alternative<CopyCommand>(command) ||
         std::holds_alternative<AddCommand>(command) || std::holds_alternative<WorkdirCommand>(command);
}

constexpr const char* kOciLayoutScheme = "oci-layout://";
constexpr const char* kDockerImageScheme = "docker-image://";

}  // namespace

std::string join_workdir(const std::string& workdir, const std::string& path) {
  std::string joined = path.empty() || path.front() != '/' ? (workdir.empty() ? "/" : workdir) + "/" + path : path;
  // Clean: collapse "//", drop ".", resolve "..", no trailing slash (but "/" stays).
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= joined.size()) {
    auto slash = joined.find('/', start);
    if (slash == std::string::npos) slash = joined.size();
    auto part = joined.substr(start, slash - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = slash + 1;
  }
  std::string out;
  for (const auto& part : parts) out += "/" + part;
  return out.empty() ? "/" : out;
}

sdk::Ownership ownership_of(const std::string& spec) {
  auto colon = spec.find(':');
  if (colon == std::string::npos) return {spec, ""};
  return {spec.substr(0, colon), spec.substr(colon + 1)};
}

Converter::Converter(const Dockerfile& dockerfile, const ConvertOptions& options, sdk::FrontendContext& context)
    : dockerfile_(dockerfile), options_(options), context_(context), lexer_(options.escape) {}

sdk::SourceLocation Converter::source_location(const Location& location) const {
  return {options_.dockerfile_name, location.start_line, location.end_line};
}

sdk::Status Converter::error_at(const Location& location, sdk::Status status) const {
  return std::move(status).with_location(source_location(location));
}

sdk::Result<std::string> Converter::expand_global(std::string_view word, const Location& location) const {
  auto platform = platform_args(options_.build_platform, options_.target_platform);
  auto expanded = lexer_.process_word(word, [&](std::string_view name) -> std::optional<std::string> {
    if (auto found = global_args_.find(std::string(name)); found != global_args_.end()) return found->second;
    if (auto found = platform.find(std::string(name)); found != platform.end()) return found->second;
    return std::nullopt;
  });
  if (!expanded) return error_at(location, expanded.status());
  return expanded->word;
}

EnvLookup Converter::lookup_for(const StageState& stage) const {
  return [&stage](std::string_view name) -> std::optional<std::string> {
    if (auto value = stage.image.env_value(name)) return value;  // ENV wins over ARG
    if (auto found = stage.args.find(std::string(name)); found != stage.args.end()) return found->second;
    return std::nullopt;
  };
}

sdk::Result<std::string> Converter::expand(const StageState& stage, std::string_view word,
                                           const Location& location) const {
  auto expanded = lexer_.process_word(word, lookup_for(stage));
  if (!expanded) return error_at(location, expanded.status());
  return expanded->word;
}

sdk::Status Converter::resolve_global_args() {
  for (const auto& command : dockerfile_.meta_args) {
    for (const auto& arg : command.args) {
      global_declared_.insert(arg.key);
      if (auto given = build_args_.find(arg.key); given != build_args_.end()) {
        global_args_[arg.key] = given->second;
      } else if (arg.value) {
        auto value = expand_global(*arg.value, command.location);
        if (!value) return value.status();
        global_args_[arg.key] = *value;
      }
    }
  }
  return sdk::Status::ok();
}

// SOURCE_DATE_EPOCH comes from --build-arg, else from a global ARG with a value; what it resolves
// to replaces it in both (an empty result removes it), as BuildKit does.
sdk::Status Converter::resolve_epoch() {
  std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  created_ = sdk::format_rfc3339(now);
  std::optional<std::string> value;
  if (auto given = build_args_.find(kEpochArg); given != build_args_.end()) value = given->second;
  else if (auto global = global_args_.find(kEpochArg); global != global_args_.end() && !global->second.empty())
    value = global->second;
  if (!value) return sdk::Status::ok();
  auto epoch = resolve_source_date_epoch(*value, dockerfile_.stages);
  if (!epoch) return epoch.status();
  const std::string text = format_source_date_epoch(*epoch);
  for (auto* args : {&build_args_, &global_args_}) {
    if (!args->count(kEpochArg)) continue;
    if (text.empty()) args->erase(kEpochArg);
    else (*args)[kEpochArg] = text;
  }
  if (*epoch) created_ = sdk::format_rfc3339(**epoch);
  return sdk::Status::ok();
}

// Every stage's base name and platform are expanded before anything converts, so that a blank
// base name fails even in a stage the target does not need (BuildKit's buildDispatchStates).
sdk::Status Converter::prepare_stages() {
  for (std::size_t i = 0; i < dockerfile_.stages.size(); ++i) {
    StageState state;
    state.stage = &dockerfile_.stages[i];
    state.index = i;
    const auto& location = state.stage->location;
    auto base = expand_global(state.stage->base_name, location);
    if (!base) return base.status();
    if (base->empty())
      return error_at(location,
                      sdk::Status::invalid_argument("base name (" + state.stage->base_name + ") should not be blank"));
    state.base_name = *base;
    state.platform = options_.target_platform;
    if (auto status = parse_stage_platform(state); !status) return status;
    if (dockerfile_.stages.size() > 1)
      state.display_name = state.stage->name.empty() ? "stage-" + std::to_string(i) : state.stage->name;
    state.base_stage = find_stage_by_name(state.base_name, i);
    // The FROM line is a step of its own only when it pulls an image.
    const bool pulls = lower(state.base_name) != "scratch" && !state.base_stage;
    state.cmd_total = (pulls ? 1 : 0) + static_cast<int>(std::count_if(state.stage->commands.begin(),
                                                                      state.stage->commands.end(), creates_step));
    state.ignore_cache = options_.no_cache_all || options_.no_cache_stages.count(state.stage->name) > 0;
    stages_.push_back(std::move(state));
  }
  return sdk::Status::ok();
}

sdk::Status Converter::parse_stage_platform(StageState& state) const {
  const auto& written = state.stage->platform;
  if (written.empty()) return sdk::Status::ok();
  const auto& location = state.stage->location;
  auto text = expand_global(written, location);
  if (!text) return text.status();
  if (text->empty())
    return error_at(location, sdk::Status::invalid_argument("empty platform value from expression " + written));
  auto platform = sdk::Platform::parse(*text);
  if (!platform) return error_at(location, platform.status().with_context("failed to parse platform " + written));
  state.platform = *platform;
  return sdk::Status::ok();
}

std::optional<std::size_t> Converter::find_stage_by_name(std::string_view name, std::size_t before) const {
  const std::string wanted = lower(std::string(name));
  for (std::size_t i = std::min(before, dockerfile_.stages.size()); i-- > 0;)
    if (!dockerfile_.stages[i].name.empty() && dockerfile_.stages[i].name == wanted) return i;
  return std::nullopt;
}

sdk::Result<std::size_t> Converter::target_stage() const {
  if (stages_.empty()) return sdk::Status::invalid_argument("the Dockerfile has no build stage (no FROM)");
  if (options_.target.empty()) return stages_.size() - 1;
  if (auto found = find_stage_by_name(options_.target, stages_.size())) return *found;
  std::vector<std::string> names;
  for (const auto& stage : stages_)
    names.push_back(stage.stage->name.empty() ? "stage-" + std::to_string(stage.index) : stage.stage->name);
  return sdk::Status::invalid_argument(
      with_suggestion("target stage \"" + options_.target + "\" could not be found", options_.target, names, true));
}

std::string Converter::step_name(StageState& stage, const std::string& text) {
  if (stage.cmd_total == 0) return text;
  std::string out = "[";
  if (!stage.display_name.empty()) out += stage.display_name + " ";
  ++stage.cmd_index;
  const int width = 1 + static_cast<int>(std::log10(static_cast<double>(stage.cmd_total)));
  std::string index = std::to_string(stage.cmd_index);
  if (static_cast<int>(index.size()) < width) index.insert(0, width - index.size(), ' ');
  return out + index + "/" + std::to_string(stage.cmd_total) + "] " + (stage.in_onbuild ? "ONBUILD " : "") + text;
}

sdk::OpMetadata Converter::metadata(StageState& stage, const std::string& text, const Location& location) {
  sdk::OpMetadata metadata;
  metadata.description = step_name(stage, uppercase_command(text));
  metadata.location = source_location(location);
  metadata.ignore_cache = stage.ignore_cache;
  return metadata;
}

sdk::OpIndex Converter::context_source() {
  if (!context_op_) {
    sdk::SourceOp op{.kind = sdk::SourceKind::Local, .identifier = "context"};
    context_op_ = definition_.add(op, {.description = "[internal] load build context"});
  }
  return *context_op_;
}

sdk::OpIndex Converter::image_source(const std::string& reference, const sdk::Platform& platform,
                                     const std::string& name, const Location& location) {
  const std::string key = reference + "|" + platform.str();
  if (auto found = image_ops_.find(key); found != image_ops_.end()) return found->second;
  sdk::SourceOp op;
  op.platform = platform;
  if (reference.rfind(kOciLayoutScheme, 0) == 0) {
    op.kind = sdk::SourceKind::OciLayout;
    op.identifier = reference.substr(std::string_view(kOciLayoutScheme).size());
  } else {
    op.kind = sdk::SourceKind::Image;
    op.identifier = reference.rfind(kDockerImageScheme, 0) == 0 ? reference.substr(15) : reference;
  }
  auto index = definition_.add(op, {.description = name, .location = source_location(location)});
  image_ops_[key] = index;
  return index;
}

sdk::Result<SourceRef> Converter::resolve_source(const std::string& name, const Location& location,
                                                 StageState& stage, const SourceUse& use) {
  if (auto named = options_.named_contexts.find(name); named != options_.named_contexts.end()) {
    const auto& value = named->second;
    if (value.rfind("local:", 0) == 0) {
      sdk::SourceOp op{.kind = sdk::SourceKind::Local, .identifier = value.substr(6)};
      return SourceRef{definition_.add(op, {.description = "[context " + name + "] load from client"})};
    }
    return SourceRef{image_source(value, stage.platform, "[context " + name + "] " + value, location)};
  }
  std::optional<std::size_t> index;
  if (use.kind == SourceUse::Kind::Copy) {
    auto found = copy_from_stage(name, location);
    if (!found) return found.status();
    index = *found;
  } else {
    index = find_stage_by_name(name, stages_.size());
  }
  if (index) return stage_source(*index, name, location, stage, use);
  if (lower(name) == "scratch") return SourceRef{};
  return resolved_image_source(name, location, stage);
}

// A stage is read only once it is built, so it must come before the stage reading it.
sdk::Result<SourceRef> Converter::stage_source(std::size_t index, const std::string& name, const Location& location,
                                               StageState& stage, const SourceUse& use) {
  if (index >= stage.index) {
    if (use.kind == SourceUse::Kind::Mount)
      return error_at(location, sdk::Status::invalid_argument("cannot mount from stage \"" + name + "\" to \"" +
                                                              use.mount_target +
                                                              "\", stage needs to be defined before current command"));
    return error_at(location, sdk::Status::invalid_argument("cannot copy from stage \"" + name +
                                                            "\", it needs to be defined before current stage \"" +
                                                            stage.display_name + "\""));
  }
  if (auto status = convert_stage(index); !status) return status;
  return SourceRef{stages_[index].state};
}

// An image named by COPY --from or a mount is resolved now, as BuildKit does, so that a missing
// one fails with the location of the instruction naming it.
sdk::Result<SourceRef> Converter::resolved_image_source(const std::string& name, const Location& location,
                                                        StageState& stage) {
  auto resolved = context_.resolve_image_config(name, stage.platform);
  if (!resolved) return error_at(location, resolved.status());
  return SourceRef{image_source(name, stage.platform, "[internal] load image " + name, location)};
}

void Converter::commit_history(StageState& stage, const std::string& created_by, bool with_layer) {
  stage.image.history.push_back({created_, created_by, "buildkit.dockerfile.v0", !with_layer});
}

// The stage's ENV, then its ARGs that ENV does not hide, then the proxy build args under both
// spellings, which win over both (BuildKit's executor appends them last).
std::vector<std::string> Converter::run_env(const StageState& stage) const {
  std::vector<std::string> env = stage.image.env;
  for (const auto& [key, value] : stage.args)
    if (!stage.image.env_value(key)) env.push_back(key + "=" + value);
  if (!proxy_env_) return env;
  for (const auto& entry : proxy_env_list(*proxy_env_)) {
    auto [key, value] = parse_key_value(entry);
    add_env(env, key, value);
  }
  return env;
}

sdk::Status Converter::start_stage(StageState& stage) {
  const auto& location = stage.stage->location;
  stage.image.os = stage.platform.os;
  stage.image.architecture = stage.platform.architecture;
  stage.image.variant = stage.platform.variant;

  std::string reference = stage.base_name;
  auto base_stage = stage.base_stage;
  // --build-context NAME=VALUE replaces the stage or image FROM names; VALUE may name a stage.
  if (auto named = options_.named_contexts.find(reference); named != options_.named_contexts.end()) {
    reference = named->second;
    base_stage = find_stage_by_name(reference, stage.index);
  }
  if (lower(reference) == "scratch" || reference.rfind("local:", 0) == 0) {
    // BuildKit's empty image: a PATH and a working directory, so RUN finds its tools.
    stage.image.env = {std::string("PATH=") + kDefaultPath};
    stage.image.working_dir = "/";
    if (reference.rfind("local:", 0) != 0) return sdk::Status::ok();
    // A directory the client sent (--build-context NAME=DIR) is the stage's root file system.
    sdk::SourceOp local{.kind = sdk::SourceKind::Local, .identifier = reference.substr(6)};
    auto source = definition_.add(local, {.description = "[context " + stage.base_name + "] load from client"});
    sdk::FileOp copy;
    copy.actions.push_back(sdk::CopyAction{.source = source, .src = "/", .dest = "/"});
    stage.state = definition_.add(copy, {.description = "[context " + stage.base_name + "] as a base",
                                         .location = source_location(location)});
    return sdk::Status::ok();
  }
  if (base_stage) {
    if (auto status = convert_stage(*base_stage); !status) return status;
    stage.state = stages_[*base_stage].state;
    stage.image = stages_[*base_stage].image;
    return sdk::Status::ok();
  }
  auto resolved = context_.resolve_image_config(reference, stage.platform);
  if (!resolved) return error_at(location, resolved.status());
  auto config = parse_image_config(resolved->config);
  if (!config) return error_at(location, config.status());
  stage.image = std::move(*config);
  stage.image.created.clear();
  // BuildKit makes sure PATH is always set.
  if (!stage.image.env_value("PATH")) stage.image.env.push_back(std::string("PATH=") + kDefaultPath);
  auto step = metadata(stage, "FROM " + resolved->reference, location);
  stage.state = image_source(reference, stage.platform, step.description, location);
  return sdk::Status::ok();
}

// A base image's ONBUILD instructions run first in the stage built on it, then are dropped.
sdk::Status Converter::run_onbuild_triggers(StageState& stage) {
  auto triggers = std::move(stage.image.on_build);
  stage.image.on_build.clear();
  stage.cmd_total += static_cast<int>(triggers.size());
  stage.in_onbuild = true;
  for (const auto& trigger : triggers) {
    auto parsed = parse(trigger);
    if (!parsed) return error_at(stage.stage->location, parsed.status().with_context("ONBUILD trigger \"" + trigger + "\""));
    for (const auto& node : parsed->root.next) {
      auto command = parse_command(node);
      if (!command) return error_at(stage.stage->location, command.status().with_context("ONBUILD trigger"));
      std::visit([&](auto& typed) { typed.location = stage.stage->location; }, *command);
      if (auto status = dispatch(stage, *command); !status) return status;
    }
  }
  stage.in_onbuild = false;
  return sdk::Status::ok();
}

sdk::Status Converter::convert_stage(std::size_t index) {
  auto& stage = stages_[index];
  if (stage.converted) return sdk::Status::ok();
  // check_circular_dependencies catches the Dockerfile's own cycles; this one needs ONBUILD.
  if (stage.in_progress)
    return error_at(stage.stage->location,
                    sdk::Status::invalid_argument("circular dependency detected on stage: " + stage_name_of(index)));
  stage.in_progress = true;
  if (auto status = start_stage(stage); !status) return status;
  if (auto status = run_onbuild_triggers(stage); !status) return status;
  for (const auto& command : stage.stage->commands)
    if (auto status = dispatch(stage, command); !status) return status;
  stage.in_progress = false;
  stage.converted = true;
  return sdk::Status::ok();
}

sdk::Status Converter::dispatch(StageState& stage, const Command& command) {
  if (const auto* run = std::get_if<RunCommand>(&command)) return dispatch_run(stage, *run);
  if (const auto* copy = std::get_if<CopyCommand>(&command))
    return dispatch_copy(stage, copy->paths, copy->from, copy->chown, copy->chmod, copy->excludes, copy->parents, false,
                         "", *copy);
  if (const auto* add = std::get_if<AddCommand>(&command))
    return dispatch_copy(stage, add->paths, "", add->chown, add->chmod, add->excludes, false, true, add->checksum, *add);
  if (const auto* workdir = std::get_if<WorkdirCommand>(&command)) return dispatch_workdir(stage, *workdir);
  return dispatch_config(stage, command);
}

// BuildKit's order: global args, SOURCE_DATE_EPOCH, every stage's base name, the target, the
// stage dependency graph and its cycles; then only what the target needs is converted.
sdk::Result<ConvertResult> Converter::run() {
  build_args_ = options_.build_args;
  proxy_env_ = proxy_env_from_build_args(build_args_);
  if (auto status = resolve_global_args(); !status) return status;
  if (auto status = resolve_epoch(); !status) return status;
  if (auto status = prepare_stages(); !status) return status;
  auto target = target_stage();
  if (!target) return target.status();
  for (auto& stage : stages_)
    if (auto status = collect_dependencies(stage); !status) return status;
  if (auto status = check_circular_dependencies(); !status) return status;
  if (auto status = convert_stage(*target); !status) return status;

  auto& result = stages_[*target];
  if (!result.state) result.state = definition_.add(sdk::FileOp{}, {.description = "scratch"});
  definition_.output = result.state;
  for (const auto& [key, value] : options_.labels) result.image.labels[key] = value;
  result.image.created = created_;
  return ConvertResult{std::move(definition_), image_config_json(result.image), std::move(warnings_)};
}

sdk::Result<ConvertResult> convert(const Dockerfile& dockerfile, const ConvertOptions& options,
                                   sdk::FrontendContext& context) {
  Converter converter(dockerfile, options, context);
  return converter.run();
}

}  // namespace dbuild::dockerfile
