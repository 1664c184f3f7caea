// authenticator.hpp: what goes into a request's Authorization header, per registry and scope:
// nothing until the registry challenges, then Basic credentials or a bearer token from the
// challenge's realm (fetched with the credentials, cached until it expires). One refusal is
// final: a wrong password costs one or two requests, never a retry storm.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <dbuild/sdk/status.hpp>

#include "registry/credentials.hpp"
#include "registry/http_transport.hpp"
#include "registry/token.hpp"
#include "registry/www_authenticate.hpp"

namespace dbuild::registry {

/// "repository:library/alpine:pull", "repository:x/app:pull,push".
using Scopes = std::vector<std::string>;
[[nodiscard]] std::string pull_scope(std::string_view repository);
[[nodiscard]] std::string push_scope(std::string_view repository);

class Authenticator {
 public:
  /// Sends a request to a token server (the caller applies TLS rules for the realm's host).
  using TokenFetch = std::function<sdk::Result<HttpResponse>(HttpRequest request)>;
  using Clock = std::function<TimePoint()>;

  /// `credentials` may be null (anonymous only) and must outlive this.
  Authenticator(CredentialProvider* credentials, TokenFetch fetch, Clock clock);

  /// The header value for a request to `registry` needing `scopes`: "" (anonymous, or no
  /// challenge seen yet), "Basic ...", or "Bearer ..." (fetching a token when none is cached).
  /// Errors: permission_denied (the token server refused the credentials), and the token
  /// server's or credential provider's errors.
  [[nodiscard]] sdk::Result<std::string> authorization(const std::string& registry, const Scopes& scopes);

  /// After a 401 answer to a request sent with `previous`: learns the challenge and returns the
  /// header to try once more with. Errors: permission_denied (`unauthorized(...)`) when another
  /// try cannot help: no credentials for a Basic challenge, the same credentials already refused,
  /// or no challenge this client understands.
  [[nodiscard]] sdk::Result<std::string> reauthorize(const std::string& registry, const Scopes& scopes,
                                                     const HttpResponse& response, const std::string& previous);

  /// Who requests to `registry` authenticate as ("" when anonymous), for error messages.
  [[nodiscard]] std::string username(const std::string& registry);

 private:
  struct HostState {
    std::optional<Challenge> challenge;  // the one in use: bearer preferred over basic
  };

  [[nodiscard]] sdk::Result<std::optional<Credentials>> credentials(const std::string& registry);
  [[nodiscard]] sdk::Result<std::string> bearer(const std::string& registry, const Challenge& challenge,
                                                const Scopes& scopes, bool fresh, const Scopes& also_for);
  [[nodiscard]] sdk::Result<Token> fetch_token(const std::string& registry, const Challenge& challenge,
                                               const Scopes& scopes, const std::optional<Credentials>& credentials);
  [[nodiscard]] std::string token_key(const std::string& registry, const Challenge& challenge, const Scopes& scopes,
                                      const std::optional<Credentials>& credentials) const;

  CredentialProvider* provider_;
  TokenFetch fetch_;
  Clock clock_;
  TokenCache tokens_;
  std::mutex mutex_;
  std::map<std::string, HostState> hosts_;
  std::map<std::string, std::optional<Credentials>> credentials_;
};

}  // namespace dbuild::registry
