// dockerfile_frontend.cpp: frontend options to converter options, parser warnings to the
// build's warnings, and the `# syntax=` directive, which dbuild answers with its built-in
// frontend (said plainly, or refused with syntax-strict=true).
#include "dockerfile_frontend.hpp"

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

}  // namespace

sdk::Status DockerfileFrontend::check(const sdk::Attributes& options) {
  static const std::set<std::string> kKeys = {"filename", "target", "force-network-mode", "no-cache", "syntax-strict",
                                              "call"};
  for (const auto& [key, value] : options) {
    if (kKeys.count(key) || starts_with(key, "build-arg:") || starts_with(key, "label:") || starts_with(key, "context:"))
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
  if (!parsed) {
    auto status = parsed.status();
    if (status.location()) {
      auto location = *status.location();
      location.file = options.dockerfile_name;
      return sdk::Status(status.code(), status.message()).with_location(location);
    }
    return status;
  }
  const auto& syntax = parsed->directives.syntax;
  if (!is_dockerfile_syntax(syntax)) {
    auto strict = request.options.find("syntax-strict");
    std::string message = "# syntax=" + syntax + " names an external frontend image; dbuild builds with its built-in "
                          "Dockerfile frontend instead";
    if (strict != request.options.end() && strict->second == "true")
      return sdk::Status::unimplemented(message).with_location({options.dockerfile_name, 1, 1});
    context.warn(message, sdk::SourceLocation{options.dockerfile_name, parsed->directives.syntax_line, parsed->directives.syntax_line});
  }
  for (const auto& warning : parsed->warnings)
    context.warn(warning.short_message + (warning.detail.empty() ? "" : ": " + warning.detail),
                 sdk::SourceLocation{options.dockerfile_name, warning.line, warning.line});
  auto dockerfile = parse_dockerfile(parsed->root);
  if (!dockerfile) {
    auto status = dockerfile.status();
    if (status.location()) {
      auto location = *status.location();
      location.file = options.dockerfile_name;
      return sdk::Status(status.code(), status.message()).with_location(location);
    }
    return status;
  }
  options.escape = parsed->directives.escape;
  const auto lint_config = parse_check_directive(parsed->directives.check);
  const auto findings = lint(*dockerfile, lint_config, options.escape);
  for (const auto& finding : findings)
    context.warn(finding.rule + ": " + finding.message,
                 sdk::SourceLocation{options.dockerfile_name, finding.location.start_line, finding.location.end_line});
  if (lint_config.error && !findings.empty()) {
    const auto& first = findings.front();
    return sdk::Status::failed_precondition(first.rule + ": " + first.message + " (and " +
                                            std::to_string(findings.size() - 1) + " more; # check=error=true)")
        .with_location({options.dockerfile_name, first.location.start_line, first.location.end_line});
  }
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
