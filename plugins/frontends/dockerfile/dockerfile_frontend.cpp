// dockerfile_frontend.cpp: frontend options to converter options, the build checks (lint and
// parser warnings) to the build's warnings, and the `# syntax=` directive, which dbuild answers
// with its built-in frontend (said plainly, or refused with syntax-strict=true).
#include "dockerfile_frontend.hpp"

#include <algorithm>
#include <set>

#include "convert/converter.hpp"
#include "convert/lint.hpp"
#include "instructions/instructions.hpp"
#include "parser/parser.hpp"

namespace dbuild::dockerfile {
namespace {

bool starts_with(const std::string& text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }

std::set<std::string> split_commas(const std::string& text) {
  std::set<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.insert(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// The syntax directives that name this frontend's own language: anything else is an external
// frontend image dbuild does not run.
bool is_dockerfile_syntax(const std::string& syntax) {
  return syntax.empty() || starts_with(syntax, "docker/dockerfile") || starts_with(syntax, "docker.io/docker/dockerfile");
}

ConvertOptions options_from(const sdk::Attributes& options) {
  ConvertOptions out;
  if (auto found = options.find("filename"); found != options.end()) out.dockerfile_name = found->second;
  if (auto found = options.find("target"); found != options.end()) out.target = found->second;
  if (auto found = options.find("force-network-mode"); found != options.end()) out.force_network = found->second;
  if (auto found = options.find("no-cache"); found != options.end()) {
    if (found->second.empty()) out.no_cache_all = true;
    else out.no_cache_stages = split_commas(found->second);
  }
  for (const auto& [key, value] : options) {
    if (starts_with(key, "build-arg:")) out.build_args[key.substr(10)] = value;
    else if (starts_with(key, "label:")) out.labels[key.substr(6)] = value;
    else if (starts_with(key, "context:")) out.named_contexts[key.substr(8)] = value;
  }
  return out;
}

// A parse error's location names the file the user gave.
sdk::Status in_file(const sdk::Status& status, const std::string& dockerfile_name) {
  if (!status.location()) return status;
  auto location = *status.location();
  location.file = dockerfile_name;
  return sdk::Status(status.code(), status.message()).with_location(location);
}

// `# syntax=` naming another frontend image: dbuild says it builds with its own, or refuses
// with syntax-strict=true.
sdk::Status answer_syntax(const Directives& directives, const sdk::Attributes& options, const std::string& dockerfile_name,
                          sdk::FrontendContext& context) {
  const auto& syntax = directives.syntax;
  if (is_dockerfile_syntax(syntax)) return sdk::Status::ok();
  std::string message = "# syntax=" + syntax + " names an external frontend image; dbuild builds with its built-in "
                        "Dockerfile frontend instead";
  auto strict = options.find("syntax-strict");
  if (strict != options.end() && strict->second == "true")
    return sdk::Status::unimplemented(message).with_location({dockerfile_name, 1, 1});
  context.warn(message, sdk::SourceLocation{dockerfile_name, directives.syntax_line, directives.syntax_line});
  return sdk::Status::ok();
}

// The build checks, as BuildKit reports them: "Rule: message" warnings (the parser's empty
// continuation lines are the rule NoEmptyContinuation), then with `# check=error=true` an error
// naming the rules that fired.
sdk::Status run_checks(const ParseResult& parsed, const Dockerfile& dockerfile, const std::string& dockerfile_name,
                       sdk::FrontendContext& context) {
  const auto config = parse_check_directive(parsed.directives.check);
  auto skipped = [&](const std::string& rule) {
    return std::find(config.skip.begin(), config.skip.end(), "all") != config.skip.end() ||
           std::find(config.skip.begin(), config.skip.end(), rule) != config.skip.end();
  };
  std::vector<LintFinding> findings;
  for (const auto& warning : parsed.warnings)
    if (!skipped("NoEmptyContinuation"))
      findings.push_back({"NoEmptyContinuation", "Empty continuation line", {warning.line, warning.line}});
  auto linted = lint(dockerfile, config, parsed.directives.escape);
  findings.insert(findings.end(), linted.begin(), linted.end());
  std::set<std::string> rules;
  for (const auto& finding : findings) {
    rules.insert(finding.rule);
    context.warn(finding.rule + ": " + finding.message,
                 sdk::SourceLocation{dockerfile_name, finding.location.start_line, finding.location.end_line});
  }
  if (!config.error || rules.empty()) return sdk::Status::ok();
  std::string names;
  for (const auto& rule : rules) names += (names.empty() ? "" : ", ") + rule;
  return sdk::Status::failed_precondition("lint violation found for rules: " + names);
}

}  // namespace

sdk::Status DockerfileFrontend::check(const sdk::Attributes& options) {
  static const std::set<std::string> kKeys = {"filename", "target", "force-network-mode", "no-cache", "syntax-strict",
                                              "call", "image-resolve-mode"};
  for (const auto& [key, value] : options) {
    if (key == "image-resolve-mode" && value != "default" && value != "pull" && value != "local")
      return sdk::Status::invalid_argument("image-resolve-mode=" + value + ": want default, pull or local");
    if (kKeys.count(key) || starts_with(key, "build-arg:") || starts_with(key, "label:") || starts_with(key, "context:") ||
        starts_with(key, "vcs:"))
      continue;
    return sdk::Status::invalid_argument("the dockerfile frontend takes no option \"" + key + "\"");
  }
  return sdk::Status::ok();
}

sdk::Result<sdk::FrontendResult> DockerfileFrontend::build(const sdk::FrontendRequest& request,
                                                           sdk::FrontendContext& context) {
  auto options = options_from(request.options);
  auto text = context.read_file("dockerfile", options.dockerfile_name);
  if (!text) return text.status();
  auto parsed = parse(*text);
  if (!parsed) return in_file(parsed.status(), options.dockerfile_name);
  if (auto status = answer_syntax(parsed->directives, request.options, options.dockerfile_name, context); !status)
    return status;
  auto dockerfile = parse_dockerfile(parsed->root);
  if (!dockerfile) return in_file(dockerfile.status(), options.dockerfile_name);
  options.escape = parsed->directives.escape;
  if (auto status = run_checks(*parsed, *dockerfile, options.dockerfile_name, context); !status) return status;
  if (auto call = request.options.find("call"); call != request.options.end() && call->second == "check")
    return sdk::FrontendResult{};
  options.build_platform = sdk::Platform::host();
  sdk::FrontendResult result;
  for (const auto& platform : request.platforms) {
    options.target_platform = platform;
    auto converted = convert(*dockerfile, options, context);
    if (!converted) return converted.status();
    for (const auto& warning : converted->warnings)
      context.warn(warning.short_message, sdk::SourceLocation{options.dockerfile_name, warning.line, warning.line});
    result.results.push_back({platform, std::move(converted->definition), std::move(converted->image_config)});
  }
  return result;
}

}  // namespace dbuild::dockerfile
