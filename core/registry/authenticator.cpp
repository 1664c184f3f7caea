// authenticator.cpp: challenges, credentials and tokens (see authenticator.hpp).
#include "registry/authenticator.hpp"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "registry/base64.hpp"
#include "registry/registry_errors.hpp"
#include "registry/url.hpp"

namespace dbuild::registry {
namespace {

std::string basic_header(const Credentials& credentials) {
  return "Basic " + base64_encode(credentials.username + ":" + credentials.password);
}

std::optional<Challenge> choose(const std::vector<Challenge>& challenges) {
  for (const char* scheme : {"bearer", "basic"})
    for (const auto& challenge : challenges)
      if (challenge.scheme == scheme) return challenge;
  return std::nullopt;
}

Scopes merge(const Scopes& scopes, const std::string& extra) {
  Scopes merged = scopes;
  std::istringstream words(extra);
  for (std::string scope; words >> scope;)
    if (std::find(merged.begin(), merged.end(), scope) == merged.end()) merged.push_back(scope);
  return merged;
}

std::string join(const Scopes& scopes, char separator) {
  std::string joined;
  for (const auto& scope : scopes) {
    if (!joined.empty()) joined += separator;
    joined += scope;
  }
  return joined;
}

HttpRequest token_request(const Challenge& challenge, const Scopes& scopes,
                          const std::optional<Credentials>& credentials) {
  HttpRequest request;
  auto realm = challenge.param("realm");
  auto service = challenge.param("service");
  if (credentials && !credentials->identity_token.empty()) {
    // OAuth2 with the refresh token Docker stores as "identitytoken".
    request.method = "POST";
    request.url = realm;
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    request.body = "grant_type=refresh_token&client_id=dbuild&refresh_token=" + url_encode(credentials->identity_token);
    if (!service.empty()) request.body += "&service=" + url_encode(service);
    if (!scopes.empty()) request.body += "&scope=" + url_encode(join(scopes, ' '));
    return request;
  }
  request.url = realm;
  if (!service.empty()) request.url = add_query(request.url, "service", service);
  for (const auto& scope : scopes) request.url = add_query(request.url, "scope", scope);
  if (credentials && !credentials->username.empty()) {
    request.url = add_query(request.url, "account", credentials->username);
    request.headers.emplace_back("Authorization", basic_header(*credentials));
  }
  return request;
}

}  // namespace

std::string pull_scope(std::string_view repository) { return fmt::format("repository:{}:pull", repository); }
std::string push_scope(std::string_view repository) { return fmt::format("repository:{}:pull,push", repository); }

Authenticator::Authenticator(CredentialProvider* credentials, TokenFetch fetch, Clock clock)
    : provider_(credentials), fetch_(std::move(fetch)), clock_(std::move(clock)) {}

sdk::Result<std::optional<Credentials>> Authenticator::credentials(const std::string& registry) {
  {
    std::lock_guard lock(mutex_);
    if (auto found = credentials_.find(registry); found != credentials_.end()) return found->second;
  }
  if (!provider_) return std::optional<Credentials>();
  auto found = provider_->credentials_for(registry);
  if (!found) return found.status().with_context(fmt::format("reading the credentials for {}", registry));
  std::lock_guard lock(mutex_);
  credentials_[registry] = *found;
  return found;
}

std::string Authenticator::username(const std::string& registry) {
  auto found = credentials(registry);
  return found && *found ? (*found)->username : std::string();
}

std::string Authenticator::token_key(const std::string& registry, const Challenge& challenge, const Scopes& scopes,
                                     const std::optional<Credentials>& credentials) const {
  Scopes sorted = scopes;
  std::sort(sorted.begin(), sorted.end());
  return fmt::format("{}|{}|{}|{}|{}", registry, challenge.param("realm"), challenge.param("service"),
                     join(sorted, ' '), credentials ? credentials->username : "");
}

sdk::Result<Token> Authenticator::fetch_token(const std::string& registry, const Challenge& challenge,
                                              const Scopes& scopes, const std::optional<Credentials>& credentials) {
  auto realm = challenge.param("realm");
  if (realm.empty())
    return sdk::Status::invalid_argument(fmt::format("{}: the bearer challenge names no realm", registry));
  auto response = fetch_(token_request(challenge, scopes, credentials));
  if (!response) return response.status().with_context(fmt::format("fetching a token from {}", realm));
  auto user = credentials ? credentials->username : std::string();
  if (response->status == 401 || response->status == 403)
    return unauthorized(registry, registry_error_message(*response), user);
  if (response->status != 200)
    return status_from_response(*response, url_host(realm))
        .with_context(fmt::format("fetching a token from {}", realm));
  auto token = parse_token_response(response->body, clock_());
  if (!token) return token.status().with_context(fmt::format("fetching a token from {}", realm));
  return token;
}

sdk::Result<std::string> Authenticator::bearer(const std::string& registry, const Challenge& challenge,
                                               const Scopes& scopes, bool fresh, const Scopes& also_for) {
  auto creds = credentials(registry);
  if (!creds) return creds.status();
  auto key = token_key(registry, challenge, scopes, *creds);
  if (!fresh)
    if (auto cached = tokens_.find(key, clock_())) return "Bearer " + *cached;
  auto token = fetch_token(registry, challenge, scopes, *creds);
  if (!token) return token.status();
  auto header = "Bearer " + token->value;
  if (!also_for.empty()) tokens_.put(token_key(registry, challenge, also_for, *creds), *token);
  tokens_.put(key, std::move(*token));
  return header;
}

sdk::Result<std::string> Authenticator::authorization(const std::string& registry, const Scopes& scopes) {
  std::optional<Challenge> challenge;
  {
    std::lock_guard lock(mutex_);
    challenge = hosts_[registry].challenge;
  }
  if (!challenge) return std::string();
  if (challenge->scheme == "bearer") return bearer(registry, *challenge, scopes, false, {});
  auto creds = credentials(registry);
  if (!creds) return creds.status();
  if (!*creds || (*creds)->username.empty()) return std::string();
  return basic_header(**creds);
}

sdk::Result<std::string> Authenticator::reauthorize(const std::string& registry, const Scopes& scopes,
                                                    const HttpResponse& response, const std::string& previous) {
  auto said = registry_error_message(response);
  auto challenge = choose(parse_www_authenticate(response.headers_named("www-authenticate")));
  if (!challenge) return unauthorized(registry, said, previous.empty() ? "" : username(registry));
  {
    std::lock_guard lock(mutex_);
    hosts_[registry].challenge = challenge;
  }
  auto creds = credentials(registry);
  if (!creds) return creds.status();
  auto user = *creds ? (*creds)->username : std::string();
  if (challenge->scheme == "basic") {
    if (!*creds || user.empty()) return unauthorized(registry, said, "");
    auto header = basic_header(**creds);
    if (header == previous) return unauthorized(registry, said, user);
    return header;
  }
  // A registry may ask for more than we did (a mount's source repository): ask for both.
  // The token is also cached under the scopes we asked for, so the next request finds it.
  auto wanted = merge(scopes, challenge->param("scope"));
  auto header = bearer(registry, *challenge, wanted, true, wanted != scopes ? scopes : Scopes());
  if (!header) return header;
  if (*header == previous) return unauthorized(registry, said, user);
  return header;
}

}  // namespace dbuild::registry
