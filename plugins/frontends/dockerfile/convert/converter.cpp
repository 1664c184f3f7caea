// converter.cpp: stages (FROM, named contexts, which stages the target needs), ARG scoping,
// word expansion with the environment in effect, and BuildKit's step names and history.
#include "convert/converter_impl.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>

#include "parser/parser.hpp"

namespace dbuild::dockerfile {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string rfc3339(std::int64_t seconds) {
  std::time_t time = seconds;
  std::tm utc{};
  gmtime_r(&time, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

bool creates_step(const Command& command) {
  return std::holds_alternative<RunCommand>(command) || std::holds_alternative<CopyCommand>(command) ||
         std::holds_alternative<AddCommand>(command) || std::holds_alternative<WorkdirCommand>(command);
}

constexpr const char* kOciLayoutScheme = "oci-layout://";
constexpr const char* kDockerImageScheme = "docker-image://";

}  // namespace

bool is_proxy_arg(std::string_view name) {
  static const std::set<std::string, std::less<>> kProxy = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
                                                             "FTP_PROXY",  "ftp_proxy",  "NO_PROXY",    "no_proxy",
                                                             "ALL_PROXY",  "all_proxy"};
  return kProxy.count(name) > 0;
}

std::map<std::string, std::string> platform_args(const sdk::Platform& build, const sdk::Platform& target) {
  return {{"BUILDPLATFORM", build.str()},   {"BUILDOS", build.os},         {"BUILDARCH", build.architecture},
          {"BUILDVARIANT", build.variant},  {"TARGETPLATFORM", target.str()}, {"TARGETOS", target.os},
          {"TARGETARCH", target.architecture}, {"TARGETVARIANT", target.variant}};
}

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
      if (auto given = options_.build_args.find(arg.key); given != options_.build_args.end()) {
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

std::optional<std::size_t> Converter::find_stage(std::string_view name, std::size_t before) const {
  const std::string wanted = lower(std::string(name));
  for (std::size_t i = 0; i < std::min(before, stages_.size()); ++i)
    if (!stages_[i].stage->name.empty() && stages_[i].stage->name == wanted) return i;
  if (!name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    auto index = std::stoul(std::string(name));
    if (index < before && index < stages_.size()) return index;
  }
  return std::nullopt;
}

sdk::Result<std::size_t> Converter::target_stage() const {
  if (stages_.empty()) return sdk::Status::invalid_argument("the Dockerfile has no build stage (no FROM)");
  if (options_.target.empty()) return stages_.size() - 1;
  if (auto found = find_stage(options_.target, stages_.size()); found && !stages_[*found].stage->name.empty())
    return *found;
  return sdk::Status::invalid_argument("target stage \"" + options_.target + "\" could not be found");
}

std::string Converter::step_name(StageState& stage, const std::string& text) {
  if (stage.cmd_total == 0) return text;
  std::string out = "[";
  if (!stage.display_name.empty()) out += stage.display_name + " ";
  ++stage.cmd_index;
  const int width = 1 + static_cast<int>(std::log10(static_cast<double>(stage.cmd_total)));
  std::string index = std::to_string(stage.cmd_index);
  if (static_cast<int>(index.size()) < width) index.insert(0, width - index.size(), ' ');
  return out + index + "/" + std::to_string(stage.cmd_total) + "] " + text;
}

sdk::OpMetadata Converter::metadata(StageState& stage, const std::string& text, const Location& location) {
  sdk::OpMetadata metadata;
  metadata.description = step_name(stage, text);
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
                                     const std::string& name) {
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
  auto index = definition_.add(op, {.description = name});
  image_ops_[key] = index;
  return index;
}

sdk::Result<SourceRef> Converter::resolve_source(const std::string& name, const Location& location,
                                                 StageState& stage) {
  if (auto named = options_.named_contexts.find(name); named != options_.named_contexts.end()) {
    const auto& value = named->second;
    if (value.rfind("local:", 0) == 0) {
      sdk::SourceOp op{.kind = sdk::SourceKind::Local, .identifier = value.substr(6)};
      return SourceRef{definition_.add(op, {.description = "[context " + name + "] load from client"})};
    }
    return SourceRef{image_source(value, stage.platform, "[context " + name + "] " + value)};
  }
  if (auto index = find_stage(name, stage.index)) {
    if (auto status = convert_stage(*index); !status) return status;
    return SourceRef{stages_[*index].state};
  }
  if (find_stage(name, stages_.size()))
    return error_at(location, sdk::Status::invalid_argument("stage \"" + name + "\" is used before it is defined"));
  return SourceRef{image_source(name, stage.platform, "[internal] load image " + name)};
}

void Converter::commit_history(StageState& stage, const std::string& created_by, bool with_layer) {
  stage.image.history.push_back({created_, created_by, "buildkit.dockerfile.v0", !with_layer});
}

std::vector<std::string> Converter::run_env(const StageState& stage) const {
  std::vector<std::string> env = stage.image.env;
  for (const auto& [key, value] : stage.args)
    if (!stage.image.env_value(key)) env.push_back(key + "=" + value);
  for (const auto& [key, value] : options_.build_args)
    if (is_proxy_arg(key) && !stage.args.count(key) && !stage.image.env_value(key)) env.push_back(key + "=" + value);
  return env;
}

sdk::Status Converter::start_stage(StageState& stage) {
  const auto& location = stage.stage->location;
  auto base = expand_global(stage.stage->base_name, location);
  if (!base) return base.status();
  if (base->empty())
    return error_at(location, sdk::Status::invalid_argument("base name (" + stage.stage->base_name + ") should not be blank"));
  stage.platform = options_.target_platform;
  if (!stage.stage->platform.empty()) {
    auto text = expand_global(stage.stage->platform, location);
    if (!text) return text.status();
    auto platform = sdk::Platform::parse(*text);
    if (!platform) return error_at(location, platform.status());
    stage.platform = *platform;
  }
  stage.image.os = stage.platform.os;
  stage.image.architecture = stage.platform.architecture;
  stage.image.variant = stage.platform.variant;

  std::string reference = *base;
  if (auto named = options_.named_contexts.find(reference); named != options_.named_contexts.end())
    reference = named->second;
  if (lower(reference) == "scratch") {
    // BuildKit's empty image: a PATH and a working directory, so RUN finds its tools.
    stage.image.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
    stage.image.working_dir = "/";
    return sdk::Status::ok();
  }
  if (auto index = find_stage(reference, stage.index); index && !stages_[*index].stage->name.empty()) {
    if (auto status = convert_stage(*index); !status) return status;
    stage.state = stages_[*index].state;
    stage.image = stages_[*index].image;
    return sdk::Status::ok();
  }
  auto resolved = context_.resolve_image_config(reference, stage.platform);
  if (!resolved) return error_at(location, resolved.status());
  auto config = parse_image_config(resolved->config);
  if (!config) return error_at(location, config.status());
  stage.image = std::move(*config);
  stage.image.created.clear();
  auto step = metadata(stage, "FROM " + resolved->reference, location);
  stage.state = image_source(reference, stage.platform, step.description);
  return sdk::Status::ok();
}

// A base image's ONBUILD instructions run first in the stage built on it, then are dropped.
sdk::Status Converter::run_onbuild_triggers(StageState& stage) {
  auto triggers = std::move(stage.image.on_build);
  stage.image.on_build.clear();
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
  return sdk::Status::ok();
}

sdk::Status Converter::convert_stage(std::size_t index) {
  auto& stage = stages_[index];
  if (stage.converted) return sdk::Status::ok();
  if (stage.in_progress) {
    std::string name = stage.stage->name.empty() ? "stage-" + std::to_string(index) : stage.stage->name;
    return error_at(stage.stage->location, sdk::Status::invalid_argument("circular dependency detected on stage: " + name));
  }
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

sdk::Result<ConvertResult> Converter::run() {
  auto epoch = options_.build_args.find("SOURCE_DATE_EPOCH");
  std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  if (epoch != options_.build_args.end() && !epoch->second.empty()) now = std::atoll(epoch->second.c_str());
  created_ = rfc3339(now);

  if (auto status = resolve_global_args(); !status) return status;
  for (std::size_t i = 0; i < dockerfile_.stages.size(); ++i) {
    StageState state;
    state.stage = &dockerfile_.stages[i];
    state.index = i;
    if (dockerfile_.stages.size() > 1)
      state.display_name = state.stage->name.empty() ? "stage-" + std::to_string(i) : state.stage->name;
    state.cmd_total = 1 + static_cast<int>(std::count_if(state.stage->commands.begin(), state.stage->commands.end(),
                                                         creates_step));
    state.ignore_cache = options_.no_cache_all || options_.no_cache_stages.count(state.stage->name) > 0;
    stages_.push_back(std::move(state));
  }
  auto target = target_stage();
  if (!target) return target.status();
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
