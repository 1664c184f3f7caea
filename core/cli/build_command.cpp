// build_command.cpp: `dbuild build`, with buildx's flags: it turns the command line into a
// SolveRequest, renders progress, and maps the outcome to an exit code.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "cache/cache_targets.hpp"
#include "engine/export_targets.hpp"
#include "cli/build_inputs.hpp"
#include "cli/build_results.hpp"
#include "cli/command.hpp"
#include "cli/source_snippet.hpp"
#include "cli/progress/renderer.hpp"
#include "cli/progress/summary.hpp"
#include "cli/signals.hpp"
#include "cli/units.hpp"

namespace dbuild::cli {
namespace {

namespace fs = std::filesystem;

constexpr int kExitCancelled = 130;

// A build check's warning: "Rule: message", as BuildKit words them.
struct CheckWarning {
  std::string rule;
  std::string message;
  std::optional<sdk::SourceLocation> location;
};

std::optional<CheckWarning> check_warning(const sdk::ProgressEvent& event) {
  if (event.type != sdk::ProgressType::Warning) return std::nullopt;
  const auto colon = event.data.find(": ");
  if (colon == std::string::npos || colon == 0 || !std::isupper(static_cast<unsigned char>(event.data[0])))
    return std::nullopt;
  for (std::size_t i = 0; i < colon; ++i)
    if (!std::isalpha(static_cast<unsigned char>(event.data[i]))) return std::nullopt;
  return CheckWarning{event.data.substr(0, colon), event.data.substr(colon + 2), event.location};
}

// Passes events on, except that under `--check` the check warnings are kept back: they are the
// result, printed on stdout as buildx prints them, not a summary under the progress.
class CheckWarnings final : public sdk::ProgressSink {
 public:
  CheckWarnings(sdk::ProgressSink& inner, bool keep) : inner_(inner), keep_(keep) {}
  void emit(const sdk::ProgressEvent& event) override {
    if (auto warning = keep_ ? check_warning(event) : std::nullopt) {
      std::lock_guard lock(mutex_);
      warnings_.push_back(std::move(*warning));
      return;
    }
    inner_.emit(event);
  }
  /// The kept warnings, in line order.
  [[nodiscard]] std::vector<CheckWarning> sorted() const {
    std::lock_guard lock(mutex_);
    auto out = warnings_;
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return (a.location ? a.location->line : 0) < (b.location ? b.location->line : 0);
    });
    return out;
  }

 private:
  sdk::ProgressSink& inner_;
  const bool keep_;
  mutable std::mutex mutex_;
  std::vector<CheckWarning> warnings_;
};

// "JSONArgsRecommended" -> "json-args-recommended", the rule's page under docs.docker.com/go/.
std::string rule_page(const std::string& rule) {
  std::string out;
  for (std::size_t i = 0; i < rule.size(); ++i) {
    const bool upper = std::isupper(static_cast<unsigned char>(rule[i]));
    const bool after_lower = i > 0 && std::islower(static_cast<unsigned char>(rule[i - 1]));
    const bool ends_acronym = i > 0 && i + 1 < rule.size() && std::isupper(static_cast<unsigned char>(rule[i - 1])) &&
                              std::islower(static_cast<unsigned char>(rule[i + 1]));
    if (upper && (after_lower || ends_acronym)) out += '-';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(rule[i])));
  }
  return "https://docs.docker.com/go/dockerfile/rule/" + out + "/";
}

// buildx's `--call=check` result: the count, then each warning with its rule's page and lines.
void print_check_result(std::ostream& out, const std::vector<CheckWarning>& warnings, const fs::path& dockerfile) {
  if (warnings.empty()) return;
  out << "Check complete, "
      << (warnings.size() == 1 ? std::string("1 warning has been found!")
                               : fmt::format("{} warnings have been found!", warnings.size()))
      << "\n";
  for (const auto& warning : warnings) {
    out << "\nWARNING: " << warning.rule << " - " << rule_page(warning.rule) << "\n" << warning.message << "\n";
    if (warning.location) print_source_lines(out, dockerfile, *warning.location);
  }
}

std::vector<std::string> strings(const po::variables_map& values, const char* name) {
  if (!values.count(name)) return {};
  return values[name].as<std::vector<std::string>>();
}

// type=NAME,key=value,...: the type and the other attributes.
sdk::Result<std::pair<std::string, sdk::Attributes>> typed_attributes(const std::string& text, const std::string& flag) {
  auto attributes = parse_attributes(text);
  if (!attributes) return attributes.status().with_context(flag + " " + text);
  auto type = attributes->find("type");
  if (type == attributes->end()) return sdk::Status::invalid_argument(flag + " " + text + ": type= is required");
  std::string name = type->second;
  attributes->erase(type);
  return std::pair{std::move(name), std::move(*attributes)};
}

// -o dir, -o -, or -o type=...,key=value
sdk::Result<sdk::ExportRequest> parse_output(const std::string& text) {
  if (text == "-") return sdk::ExportRequest{"tar", {{"dest", "-"}}};
  if (text.find('=') == std::string::npos) return sdk::ExportRequest{"local", {{"dest", text}}};
  auto typed = typed_attributes(text, "--output");
  if (!typed) return typed.status();
  return sdk::ExportRequest{std::move(typed->first), std::move(typed->second)};
}

// --cache-from/--cache-to: type=NAME,key=value,..., or a bare REF for type=registry,ref=REF, as
// buildx reads them. A local cache's directory is made absolute here, where it was typed.
sdk::Result<sdk::CacheRequest> parse_cache(const std::string& text, const std::string& flag) {
  if (text.find('=') == std::string::npos) return sdk::CacheRequest{"registry", {{"ref", text}}};
  auto typed = typed_attributes(text, flag);
  if (!typed) return typed.status();
  sdk::CacheRequest request{std::move(typed->first), std::move(typed->second)};
  if (request.type == "local")
    for (const char* key : {"src", "dest"})
      if (auto found = request.attributes.find(key); found != request.attributes.end() && !found->second.empty())
        found->second = fs::absolute(found->second).lexically_normal().string();
  return request;
}

// BuildKit's limit on one secret.
constexpr std::uintmax_t kMaxSecretSize = 500 * 1024;

sdk::Status read_secret_file(const std::string& text, const std::string& id, const std::string& file,
                             std::map<std::string, std::string>& secrets) {
  std::error_code error;
  const auto size = fs::file_size(file, error);
  if (error) return sdk::Status::not_found(fmt::format("--secret {}: failed to stat {}: {}", text, file, error.message()));
  if (size > kMaxSecretSize)
    return sdk::Status::failed_precondition(fmt::format("--secret {}: secret {} too big. max size 500KB", text, id));
  std::ifstream in(file, std::ios::binary);
  if (!in) return sdk::Status::permission_denied("--secret " + text + ": cannot read " + file);
  std::ostringstream data;
  data << in.rdbuf();
  secrets[id] = data.str();
  return sdk::Status::ok();
}

// buildx's --secret: [type=file|env,]id=NAME[,src|source=FILE][,env=VAR]. With neither src nor
// env, the environment variable NAME when it is set, else the file NAME; an env= variable that
// is not set gives an empty secret, as buildx does. A lone NAME is short for id=NAME.
sdk::Status add_secret(const std::string& text, std::map<std::string, std::string>& secrets) {
  auto attributes = parse_attributes(text.find('=') == std::string::npos ? "id=" + text : text);
  if (!attributes) return attributes.status().with_context("--secret " + text);
  std::string type, id, file, env;
  for (const auto& [key, value] : *attributes) {
    if (key == "type" && value != "file" && value != "env")
      return sdk::Status::invalid_argument(fmt::format("--secret {}: unsupported secret type \"{}\"", text, value));
    if (key == "type") type = value;
    else if (key == "id") id = value;
    else if (key == "src" || key == "source") file = value;
    else if (key == "env") env = value;
    else return sdk::Status::invalid_argument(fmt::format("--secret {}: unexpected key '{}'", text, key));
  }
  if (type == "env" && env.empty()) std::swap(env, file);
  if (id.empty()) return sdk::Status::invalid_argument("--secret " + text + ": id= is required");
  if (env.empty() && file.empty()) {
    if (std::getenv(id.c_str())) env = id;
    else file = id;
  }
  if (!file.empty()) return read_secret_file(text, id, file, secrets);
  const char* value = std::getenv(env.c_str());
  secrets[id] = value ? value : "";
  return sdk::Status::ok();
}

sdk::Status add_key_values(const std::vector<std::string>& items, const char* flag, const char* prefix,
                           sdk::Attributes& options) {
  for (const auto& item : items) {
    auto equals = item.find('=');
    if (equals == 0) return sdk::Status::invalid_argument(fmt::format("{} {}: missing a name", flag, item));
    if (equals == std::string::npos) {
      // --build-arg NAME takes the value from the environment, as docker does; unset: skipped.
      if (std::string(flag) != "--build-arg")
        return sdk::Status::invalid_argument(fmt::format("{} {}: expected NAME=VALUE", flag, item));
      if (const char* value = std::getenv(item.c_str())) options[std::string(prefix) + item] = value;
      continue;
    }
    options[std::string(prefix) + item.substr(0, equals)] = item.substr(equals + 1);
  }
  return sdk::Status::ok();
}

struct ParsedBuild {
  sdk::SolveRequest request;
  BuildInputSpec inputs;
  bool check = false;
  progress::Mode progress = progress::Mode::Auto;
  bool quiet = false;
  std::string metadata_file;  // --metadata-file
  std::string iidfile;        // --iidfile
};

sdk::Result<ParsedBuild> parse_build(const CommandParser& parser) {
  const auto& values = parser.values();
  ParsedBuild parsed;
  auto& request = parsed.request;
  request.frontend = values["frontend"].as<std::string>();
  if (values.count("target")) request.frontend_options["target"] = values["target"].as<std::string>();
  if (auto status = add_key_values(strings(values, "build-arg"), "--build-arg", "build-arg:", request.frontend_options); !status)
    return status;
  if (auto status = add_key_values(strings(values, "label"), "--label", "label:", request.frontend_options); !status)
    return status;
  if (auto status = add_key_values(strings(values, "frontend-opt"), "--frontend-opt", "", request.frontend_options);
      !status)
    return status;
  request.no_cache = values["no-cache"].as<bool>();
  if (auto filter = strings(values, "no-cache-filter"); !filter.empty()) {
    if (request.no_cache)
      return sdk::Status::invalid_argument("--no-cache and --no-cache-filter cannot currently be used together");
    std::string joined;
    for (const auto& stage : filter) joined += (joined.empty() ? "" : ",") + stage;
    request.frontend_options["no-cache"] = joined;
  }
  const auto network = values["network"].as<std::string>();
  if (network != "default" && network != "none" && network != "host")
    return sdk::Status::invalid_argument("--network " + network + ": want default, none or host");
  if (network != "default") request.frontend_options["force-network-mode"] = network;
  for (const auto& text : strings(values, "platform")) {
    std::size_t start = 0;
    while (start <= text.size()) {
      auto comma = text.find(',', start);
      auto platform = sdk::Platform::parse(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (!platform) return platform.status().with_context("--platform");
      request.platforms.push_back(*platform);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  for (const auto& secret : strings(values, "secret"))
    if (auto status = add_secret(secret, request.secrets); !status) return status;
  for (const auto& output : strings(values, "output")) {
    auto parsed_output = parse_output(output);
    if (!parsed_output) return parsed_output.status();
    request.exports.push_back(std::move(*parsed_output));
  }
  // buildx's shorthands: --push is type=registry (image with push), --load is type=docker.
  if (values["push"].as<bool>()) request.exports.push_back({"image", {{"push", "true"}}});
  if (values["load"].as<bool>()) request.exports.push_back({"docker", {}});
  for (const auto& [flag, list] : {std::pair{"cache-from", &request.cache_imports}, std::pair{"cache-to", &request.cache_exports}})
    for (const auto& text : strings(values, flag)) {
      auto cache = parse_cache(text, std::string("--") + flag);
      if (!cache) return cache.status();
      list->push_back(std::move(*cache));
    }
  if (values["pull"].as<bool>()) request.frontend_options["image-resolve-mode"] = "pull";
  if (values.count("metadata-file")) parsed.metadata_file = values["metadata-file"].as<std::string>();
  if (values.count("iidfile")) parsed.iidfile = values["iidfile"].as<std::string>();
  request.tags = strings(values, "tag");
  auto mode = progress::parse_mode(values["progress"].as<std::string>());
  if (!mode) return mode.status().with_context("--progress");
  parsed.progress = *mode;
  parsed.quiet = values["quiet"].as<bool>();
  parsed.inputs.context = parser.positionals().front();
  if (values.count("file")) parsed.inputs.file = values["file"].as<std::string>();
  if (request.frontend == "definition") parsed.inputs.default_file = "build.json";
  parsed.inputs.build_contexts = strings(values, "build-context");
  std::string call = values.count("call") ? values["call"].as<std::string>() : "build";
  if (values["check"].as<bool>()) call = "check";
  if (call != "build" && call != "check")
    return sdk::Status::invalid_argument("--call " + call + ": want build or check");
  if (call == "check") {
    parsed.check = true;
    request.frontend_options["call"] = "check";
  }
  if (parsed.quiet) parsed.progress = progress::Mode::Quiet;
  return parsed;
}

// --frontend-opt keys must be options the frontend plugin declares (dbuild plugin inspect shows them).
sdk::Status check_frontend_options(plugin::PluginRegistry& plugins, const std::string& frontend,
                                   const std::vector<std::string>& items) {
  for (const auto& entry : plugins.entries()) {
    if (entry.kind != "frontend" || entry.name != frontend || entry.state != plugin::PluginState::Loaded) continue;
    for (const auto& item : items) {
      const std::string key = item.substr(0, item.find('='));
      const bool declared = std::any_of(entry.options.begin(), entry.options.end(),
                                        [&](const auto& option) { return option.name == key; });
      if (!declared)
        return sdk::Status::invalid_argument(fmt::format(
            "--frontend-opt {}: the {} frontend has no option \"{}\" (dbuild plugin inspect frontend/{} lists them)",
            item, frontend, key, frontend));
    }
  }
  return sdk::Status::ok();
}

void describe_options(CommandParser& parser) {
  auto many = [] { return po::value<std::vector<std::string>>()->composing(); };
  parser.add_options()
      ("build-arg", many(), "set a build-time variable (NAME=VALUE, or NAME to take it from the environment)")
      ("build-context", many(), "add a named build context (NAME=PATH|docker-image://REF|oci-layout://PATH)")
      ("cache-from", many(), "import build cache (type=local,src=DIR | type=registry,ref=REF | REF)")
      ("cache-to", many(), "export build cache (type=local,dest=DIR | type=registry,ref=REF | type=inline; mode=min|max)")
      ("call", po::value<std::string>(), "what to do: build (default) or check (lint only, no build)")
      ("check", po::bool_switch(), "shorthand for --call=check")
      ("file,f", po::value<std::string>(), "name of the Dockerfile (default: PATH/Dockerfile)")
      ("frontend", po::value<std::string>()->default_value("dockerfile"), "frontend plugin: dockerfile or definition")
      ("frontend-opt", many(), "set a frontend option (KEY=VALUE, see dbuild plugin inspect frontend/NAME)")
      ("iidfile", po::value<std::string>(), "write the image ID to the file")
      ("label", many(), "set metadata on the image (KEY=VALUE)")
      ("load", po::bool_switch(), "shorthand for --output=type=docker (load the image into Docker)")
      ("metadata-file", po::value<std::string>(), "write build result metadata to the file (JSON)")
      ("network", po::value<std::string>()->default_value("default"), "network for RUN: default, none or host")
      ("no-cache", po::bool_switch(), "do not use the cache")
      ("no-cache-filter", many(), "do not use the cache for these stages")
      ("output,o", many(), "output destination (type=local|tar|oci|docker|image|registry,KEY=VALUE,... | DIR | -)")
      ("platform", many(), "target platform (os/arch[/variant])")
      ("progress", po::value<std::string>()->default_value("auto"), "progress output: auto, tty, plain, rawjson, quiet")
      ("pull", po::bool_switch(), "always look base images up at their registry")
      ("push", po::bool_switch(), "shorthand for --output=type=registry (push the image, -t names where)")
      ("quiet,q", po::bool_switch(), "print only the image digest on success")
      ("secret", many(), "secret for RUN --mount=type=secret (id=NAME[,src=FILE|,env=VAR])")
      ("tag,t", many(), "name the image (NAME[:TAG]): in the local image store, or where --push or --load put it")
      ("target", po::value<std::string>(), "the stage to build");
  parser.positional("context", 1, 1);
}

// A failed build: the failed steps' output when the renderer did not show it, the lines of the
// Dockerfile the error points at, then the error.
int report_failure(App& app, const ParsedBuild& parsed, progress::Renderer& renderer, const BuildInputs& inputs,
                   const sdk::Status& status) {
  if (status.code() == sdk::Code::Cancelled) {
    app.err() << "error: build cancelled\n";
    return kExitCancelled;
  }
  if (parsed.progress == progress::Mode::Quiet || parsed.progress == progress::Mode::RawJson) {
    std::string report;
    for (const auto& failure : renderer.failures()) progress::append_failure_report(report, failure);
    app.err() << report;
  }
  print_source_snippet(app.err(), inputs.dockerfile_path(), status);
  return report_error(app, status);
}

int run_build(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[OPTIONS] PATH | -", "Start a build.");
  describe_options(parser);
  if (auto exit = parser.parse(app, args)) return *exit;
  auto parsed = parse_build(parser);
  if (!parsed) {
    if (parsed.status().code() == sdk::Code::InvalidArgument) return usage_error(app, path, parsed.status().to_string());
    return report_error(app, parsed.status());
  }
  // Cache flags are checked against this client's backends, so that a bad one is a usage error.
  if (auto caches = cache::check_cache_targets(app.plugins(), parsed->request); !caches) {
    if (caches.status().code() == sdk::Code::Unavailable) return report_error(app, caches.status());
    return usage_error(app, path, caches.status().to_string());
  }
  // So are -t and --output against its exporters; a missing Docker engine for --load is a failure.
  if (auto exports = engine::check_export_targets(app.plugins(), parsed->request); !exports) {
    if (exports.status().code() == sdk::Code::Unavailable) return report_error(app, exports.status());
    return usage_error(app, path, exports.status().to_string());
  }
  const bool quiet = parsed->quiet;
  if (auto status = check_frontend_options(app.plugins(), parsed->request.frontend, strings(parser.values(), "frontend-opt"));
      !status)
    return usage_error(app, path, status.to_string());
  for (auto [file, flag] : {std::pair{&parsed->metadata_file, "--metadata-file"}, std::pair{&parsed->iidfile, "--iidfile"}})
    if (!file->empty())
      if (auto status = check_result_file(*file, flag); !status) return usage_error(app, path, status.to_string());

  BuildInputs inputs;
  if (auto status = inputs.prepare(parsed->inputs, parsed->request); !status) {
    if (status.code() == sdk::Code::InvalidArgument) return usage_error(app, path, status.to_string());
    return report_error(app, status);
  }
  auto engine = app.engine();
  if (!engine) return report_error(app, engine.status());

  progress::SystemClock clock;
  auto renderer = progress::make_renderer(parsed->progress, app.err(), ::isatty(2) == 1, clock);
  std::stop_source stop;
  StopOnSignal signals(stop);
  CheckWarnings checks(*renderer, parsed->check);
  auto response = (*engine)->solve(parsed->request, checks, stop.get_token());
  renderer->finish();
  const auto warnings = checks.sorted();
  if (parsed->check) print_check_result(app.out(), warnings, inputs.dockerfile_path());
  if (!response) return report_failure(app, *parsed, *renderer, inputs, response.status());
  if (parsed->check) {
    if (warnings.empty()) app.out() << "Check complete, no warnings found.\n";
    return warnings.empty() ? kExitOk : kExitFailure;
  }
  const std::string id = image_id(*response);
  if (!parsed->metadata_file.empty())
    if (auto status = write_result_file(parsed->metadata_file, metadata_json(*response)); !status)
      return report_error(app, status.with_context("--metadata-file"));
  if (!parsed->iidfile.empty())
    if (auto status = write_result_file(parsed->iidfile, id); !status)
      return report_error(app, status.with_context("--iidfile"));
  if (quiet && !id.empty()) app.out() << id << "\n";
  return kExitOk;
}

}  // namespace

Command build_command() { return Command{"build", "Start a build", run_build, {}}; }

}  // namespace dbuild::cli
