// registry_errors.cpp: error answers to Status (see registry_errors.hpp).
#include "registry/registry_errors.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "registry/registry_hosts.hpp"

namespace dbuild::registry {
namespace {

std::string first_error(const nlohmann::json& doc) {
  auto errors = doc.find("errors");
  if (errors == doc.end() || !errors->is_array() || errors->empty() || !(*errors)[0].is_object()) return {};
  const auto& error = (*errors)[0];
  auto text = [&](const char* name) {
    auto found = error.find(name);
    return found != error.end() && found->is_string() ? found->get<std::string>() : std::string();
  };
  auto code = text("code");
  auto message = text("message");
  if (code.empty()) return message;
  return message.empty() ? code : code + ": " + message;
}

std::string one_line(std::string text) {
  for (auto& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (text.size() > 200) text = text.substr(0, 200) + "...";
  return text;
}

}  // namespace

std::string registry_error_message(const HttpResponse& response) {
  if (response.body.empty()) return {};
  auto doc = nlohmann::json::parse(response.body, nullptr, false);
  if (!doc.is_discarded() && doc.is_object()) {
    if (auto message = first_error(doc); !message.empty()) return one_line(message);
    for (const char* name : {"details", "detail", "message", "error"})
      if (auto found = doc.find(name); found != doc.end() && found->is_string())
        return one_line(found->get<std::string>());
    return {};
  }
  if (response.body.find('<') != std::string::npos) return {};  // an HTML error page says nothing useful
  return one_line(response.body);
}

sdk::Status status_from_response(const HttpResponse& response, std::string_view registry) {
  auto said = registry_error_message(response);
  auto message = fmt::format("{}: HTTP {}{}", registry, response.status, said.empty() ? "" : ": " + said);
  switch (response.status) {
    case 401: return unauthorized(registry, said, "");
    case 403:
      return sdk::Status::permission_denied(
                 fmt::format("{}: denied: {}", registry, said.empty() ? "access forbidden" : said))
          .with_hint(fmt::format(
              "check that your account may access this repository; run `dbuild login {}` to switch accounts",
              login_target(registry)));
    case 404: return sdk::Status::not_found(message);
    case 408:
    case 429: return sdk::Status::unavailable(message);
    default: break;
  }
  if (response.status >= 500) return sdk::Status::unavailable(message);
  return sdk::Status::invalid_argument(message);
}

sdk::Status unauthorized(std::string_view registry, std::string_view detail, std::string_view username) {
  std::string said(detail.empty() ? "authentication required" : detail);
  // Distribution prefixes "UNAUTHORIZED: "; "unauthorized: UNAUTHORIZED: ..." would stutter.
  if (said.starts_with("UNAUTHORIZED: ")) said = said.substr(14);
  auto target = login_target(registry);
  auto login = target.empty() ? std::string("dbuild login") : "dbuild login " + target;
  if (username.empty())
    return sdk::Status::permission_denied(fmt::format("{}: unauthorized: {}", registry, said))
        .with_hint(fmt::format("run `{}`", login));
  return sdk::Status::permission_denied(
             fmt::format("{}: unauthorized: {} (the registry refused the credentials of \"{}\")", registry, said,
                         username))
      .with_hint(fmt::format("check the password, then run `{}`", login));
}

std::string login_target(std::string_view registry) {
  auto host = normalize_registry(registry);
  return host == kDockerHubDomain ? std::string() : host;
}

}  // namespace dbuild::registry
