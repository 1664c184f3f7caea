// client_core.hpp (internal): what every registry operation goes through: the registry's
// endpoint (scheme learned per host: HTTPS, or plain HTTP for insecure ones), TLS options,
// authorization with one re-authentication after a 401, and bounded retries with backoff.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "registry/authenticator.hpp"
#include "registry/blob_locations.hpp"
#include "registry/registry_client.hpp"

namespace dbuild::registry {

class ClientCore {
 public:
  ClientCore(ClientOptions options, std::unique_ptr<HttpTransport> transport);

  enum class Retry { Yes, No };
  struct Call {
    std::string registry;  // the reference's domain: "docker.io", "127.0.0.1:5000"
    Scopes scopes;
    Retry retry = Retry::Yes;  // No for requests whose body or sink cannot be replayed
  };

  /// Sends `request` (its url "/v2/..." relative to the registry, or absolute, as Location headers
  /// are), authorized by `auth` (null: the client's own). Returns the final answer, whatever its
  /// status, except 401 after re-authentication (permission_denied). Errors: the transport's,
  /// with the registry named.
  [[nodiscard]] sdk::Result<HttpResponse> send(const Call& call, HttpRequest request, Authenticator* auth = nullptr);

  /// "https://registry-1.docker.io", "http://127.0.0.1:5000": the scheme as learned so far.
  [[nodiscard]] std::string base_url(const std::string& registry);

  /// An authenticator over other credentials (login checks), sharing this core's transport.
  [[nodiscard]] std::unique_ptr<Authenticator> make_authenticator(CredentialProvider* credentials);

  [[nodiscard]] const ClientOptions& options() const { return options_; }
  [[nodiscard]] BlobLocations& locations() { return locations_; }
  void sleep(std::chrono::milliseconds delay) { options_.sleep(delay); }

 private:
  struct HostState {
    Endpoint endpoint;
    std::string scheme = "https";
  };

  [[nodiscard]] HostState host_state(const std::string& registry);
  void fall_back_to_http(const std::string& registry);
  [[nodiscard]] TlsOptions tls_for(const std::string& url);
  [[nodiscard]] sdk::Result<HttpResponse> exchange(const HttpRequest& request);
  [[nodiscard]] sdk::Result<HttpResponse> send_token_request(HttpRequest request);

  ClientOptions options_;
  std::unique_ptr<HttpTransport> transport_;
  std::mutex mutex_;
  std::map<std::string, HostState> hosts_;  // by registry domain
  BlobLocations locations_;
  std::unique_ptr<Authenticator> auth_;
};

/// Saves the blob locations when it goes out of scope: once per pull_image or push_image, however
/// it ends (what a failed push saw is as true as what a finished one saw).
struct SaveLocationsAtEnd {
  BlobLocations& locations;
  ~SaveLocationsAtEnd() { locations.flush(); }
};

}  // namespace dbuild::registry
