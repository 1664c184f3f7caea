// token.cpp: token server answers, RFC 3339 times, and the token cache.
#include "registry/token.hpp"

#include <time.h>

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

namespace dbuild::registry {

sdk::Result<Token> parse_token_response(std::string_view body, TimePoint now) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return sdk::Status::invalid_argument("the token server's answer is not JSON");
  Token token;
  for (const char* name : {"token", "access_token"}) {
    auto found = doc.find(name);
    if (found != doc.end() && found->is_string() && !found->get<std::string>().empty()) {
      token.value = found->get<std::string>();
      break;
    }
  }
  if (token.value.empty()) return sdk::Status::invalid_argument("the token server's answer holds no token");
  // The spec: a missing expires_in means 60 s, and less than 60 s is to be read as 60 s.
  std::int64_t lifetime = 60;
  if (auto found = doc.find("expires_in"); found != doc.end() && found->is_number_integer())
    lifetime = std::max<std::int64_t>(found->get<std::int64_t>(), 60);
  TimePoint issued = now;
  if (auto found = doc.find("issued_at"); found != doc.end() && found->is_string())
    if (auto parsed = parse_rfc3339(found->get<std::string>())) issued = *parsed;
  token.expires = issued + std::chrono::seconds(lifetime);
  return token;
}

std::optional<TimePoint> parse_rfc3339(std::string_view text) {
  std::string value(text);
  struct tm parts {};
  const char* rest = ::strptime(value.c_str(), "%Y-%m-%dT%H:%M:%S", &parts);
  if (!rest) return std::nullopt;
  std::chrono::nanoseconds fraction{0};
  if (*rest == '.') {
    char* end = nullptr;
    double seconds = std::strtod(rest, &end);
    fraction = std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9));
    rest = end;
  }
  long offset = 0;
  if (*rest == 'Z' || *rest == 'z') {
    ++rest;
  } else if (*rest == '+' || *rest == '-') {
    int hours = 0, minutes = 0;
    if (std::sscanf(rest + 1, "%2d:%2d", &hours, &minutes) != 2) return std::nullopt;
    offset = (*rest == '+' ? 1 : -1) * (hours * 3600L + minutes * 60L);
    rest += 6;
  } else {
    return std::nullopt;
  }
  if (*rest != '\0') return std::nullopt;
  auto when = std::chrono::system_clock::from_time_t(::timegm(&parts) - offset);
  return when + std::chrono::duration_cast<std::chrono::system_clock::duration>(fraction);
}

std::optional<std::string> TokenCache::find(const std::string& key, TimePoint now) {
  std::lock_guard lock(mutex_);
  auto found = tokens_.find(key);
  if (found == tokens_.end()) return std::nullopt;
  if (now + kMargin >= found->second.expires) {
    tokens_.erase(found);
    return std::nullopt;
  }
  return found->second.value;
}

void TokenCache::put(const std::string& key, Token token) {
  std::lock_guard lock(mutex_);
  tokens_[key] = std::move(token);
}

void TokenCache::forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  tokens_.erase(key);
}

}  // namespace dbuild::registry
