// credentials.hpp: what the registry client authenticates with, and where it asks for it. The
// client asks once per registry and remembers; a provider may be slow (credential helpers).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <dbuild/sdk/status.hpp>

namespace dbuild::registry {

struct Credentials {
  std::string username;
  std::string password;
  /// An OAuth2 refresh token (config.json's "identitytoken", or a helper's Secret with the
  /// username "<token>"); token servers are then asked with it instead of the password.
  std::string identity_token;

  [[nodiscard]] bool empty() const { return username.empty() && password.empty() && identity_token.empty(); }
};

class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  /// Credentials for `registry`, a reference domain ("docker.io", "127.0.0.1:5000"); nullopt when
  /// none are configured. Errors: invalid_argument (a malformed config file), unavailable (a
  /// credential helper failed). Must be safe to call from several threads.
  [[nodiscard]] virtual sdk::Result<std::optional<Credentials>> credentials_for(std::string_view registry) = 0;
};

/// The same credentials for every registry (login checks, tests).
class StaticCredentials final : public CredentialProvider {
 public:
  explicit StaticCredentials(Credentials credentials) : credentials_(std::move(credentials)) {}
  sdk::Result<std::optional<Credentials>> credentials_for(std::string_view) override {
    return std::optional(credentials_);
  }

 private:
  Credentials credentials_;
};

}  // namespace dbuild::registry
