// build_command.cpp: `dbuild build`, with buildx's flags: it turns the command line into a
// SolveRequest, renders progress, and maps the outcome to an exit code.
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "cli/build_inputs.hpp"
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

// Passes events on, counting warnings: `--check` fails when there are any.
class WarningCounter final : public sdk::ProgressSink {
 public:
  explicit WarningCounter(sdk::ProgressSink& inner) : inner_(inner) {}
  void emit(const sdk::ProgressEvent& event) override {
    if (event.type == sdk::ProgressType::Warning) ++warnings_;
    inner_.emit(event);
  }
  [[nodiscard]] std::size_t warnings() const { return warnings_; }

 private:
  sdk::ProgressSink& inner_;
  std::atomic<std::size_t> warnings_{0};
};

std::vector<std::string> strings(const po::variables_map& values, const char* name) {
  if (!values.count(name)) return {};
  return values[name].as<std::vector<std::string>>();
}

// -o dir, -o -, or -o type=...,key=value
sdk::Result<sdk::ExportRequest> parse_output(const std::string& text) {
  sdk::ExportRequest request;
  if (text == "-") return sdk::ExportRequest{"tar", {{"dest", "-"}}};
  if (text.find('=') == std::string::npos) return sdk::ExportRequest{"local", {{"dest", text}}};
  auto attributes = parse_attributes(text);
  if (!attributes) return attributes.status();
  auto type = attributes->find("type");
  if (type == attributes->end()) return sdk::Status::invalid_argument("--output " + text + ": type= is required");
  request.type = type->second;
  attributes->erase(type);
  request.attributes = std::move(*attributes);
  return request;
}

// id=NAME[,src=FILE|,env=VAR]; a lone id reads the environment variable of that name.
sdk::Status add_secret(const std::string& text, std::map<std::string, std::string>& secrets) {
  auto attributes = parse_attributes(text.find('=') == std::string::npos ? "id=" + text : text);
  if (!attributes) return attributes.status().with_context("--secret " + text);
  auto id = attributes->find("id");
  if (id == attributes->end() || id->second.empty()) return sdk::Status::invalid_argument("--secret " + text + ": id= is required");
  std::string source;
  if (auto src = attributes->count("src") ? attributes->find("src") : attributes->find("source");
      src != attributes->end()) {
    std::ifstream in(src->second, std::ios::binary);
    if (!in) return sdk::Status::not_found("--secret " + text + ": cannot read " + src->second);
    std::ostringstream data;
    data << in.rdbuf();
    secrets[id->second] = data.str();
    return sdk::Status::ok();
  }
  const std::string variable = attributes->count("env") ? attributes->at("env") : id->second;
  const char* value = std::getenv(variable.c_str());
  if (!value) return sdk::Status::not_found("--secret " + text + ": no file given and no environment variable " + variable);
  secrets[id->second] = value;
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
  request.no_cache = values["no-cache"].as<bool>();
  if (auto filter = strings(values, "no-cache-filter"); !filter.empty()) {
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

void describe_options(CommandParser& parser) {
  auto many = [] { return po::value<std::vector<std::string>>()->composing(); };
  parser.add_options()
      ("build-arg", many(), "set a build-time variable (NAME=VALUE, or NAME to take it from the environment)")
      ("build-context", many(), "add a named build context (NAME=PATH|docker-image://REF|oci-layout://PATH)")
      ("call", po::value<std::string>(), "what to do: build (default) or check (lint only, no build)")
      ("check", po::bool_switch(), "shorthand for --call=check")
      ("file,f", po::value<std::string>(), "name of the Dockerfile (default: PATH/Dockerfile)")
      ("frontend", po::value<std::string>()->default_value("dockerfile"), "frontend plugin: dockerfile or definition")
      ("label", many(), "set metadata on the image (KEY=VALUE)")
      ("network", po::value<std::string>()->default_value("default"), "network for RUN: default, none or host")
      ("no-cache", po::bool_switch(), "do not use the cache")
      ("no-cache-filter", many(), "do not use the cache for these stages")
      ("output,o", many(), "output destination (type=local,dest=DIR | type=tar,dest=FILE | DIR | -)")
      ("platform", many(), "target platform (os/arch[/variant])")
      ("progress", po::value<std::string>()->default_value("auto"), "progress output: auto, tty, plain, rawjson, quiet")
      ("quiet,q", po::bool_switch(), "print only the image digest on success")
      ("secret", many(), "secret for RUN --mount=type=secret (id=NAME[,src=FILE|,env=VAR])")
      ("tag,t", many(), "name the image in the local image store (NAME[:TAG])")
      ("target", po::value<std::string>(), "the stage to build");
  parser.positional("context", 1, 1);
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
  const bool quiet = parsed->quiet;

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
  WarningCounter counted(*renderer);
  auto response = (*engine)->solve(parsed->request, counted, stop.get_token());
  renderer->finish();
  if (!response) {
    if (response.status().code() == sdk::Code::Cancelled) {
      app.err() << "error: build cancelled\n";
      return kExitCancelled;
    }
    if (parsed->progress == progress::Mode::Quiet || parsed->progress == progress::Mode::RawJson) {
      std::string report;
      for (const auto& failure : renderer->failures()) progress::append_failure_report(report, failure);
      app.err() << report;
    }
    print_source_snippet(app.err(), inputs.dockerfile_path(), response.status());
    return report_error(app, response.status());
  }
  if (parsed->check) {
    const auto warnings = counted.warnings();
    app.err() << (warnings == 0 ? std::string("Check complete, no warnings found.\n")
                                : fmt::format("Check complete, {} warning{} found!\n", warnings, warnings == 1 ? " has" : "s have"));
    return warnings == 0 ? kExitOk : kExitFailure;
  }
  if (quiet) {
    auto digest = response->metadata.find("containerimage.config.digest");
    if (digest != response->metadata.end()) app.out() << digest->second << "\n";
  }
  return kExitOk;
}

}  // namespace

Command build_command() { return Command{"build", "Start a build", run_build, {}}; }

}  // namespace dbuild::cli
