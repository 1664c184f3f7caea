// token.hpp: bearer tokens from a registry's token server, and the cache that reuses them until
// they expire (distribution's token spec: expires_in, default and minimum 60 s; issued_at).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <dbuild/sdk/status.hpp>

namespace dbuild::registry {

using TimePoint = std::chrono::system_clock::time_point;

struct Token {
  std::string value;
  TimePoint expires;  // when the server stops accepting it
};

/// Reads a token server's answer ({"token" or "access_token", "expires_in", "issued_at"}),
/// received at `now`. Errors: invalid_argument (not JSON, or no token in it).
[[nodiscard]] sdk::Result<Token> parse_token_response(std::string_view body, TimePoint now);

/// "2024-05-01T12:00:00Z", "2024-05-01T12:00:00.123456789+02:00" (RFC 3339); nullopt otherwise.
[[nodiscard]] std::optional<TimePoint> parse_rfc3339(std::string_view text);

/// Tokens by key (registry, realm, service, scopes, user). A token is handed out until a few
/// seconds before it expires, so that it does not lapse between here and the registry.
/// Thread-safe.
class TokenCache {
 public:
  static constexpr std::chrono::seconds kMargin{5};

  [[nodiscard]] std::optional<std::string> find(const std::string& key, TimePoint now);
  void put(const std::string& key, Token token);
  void forget(const std::string& key);

 private:
  std::mutex mutex_;
  std::map<std::string, Token> tokens_;
};

}  // namespace dbuild::registry
