// http_transport.hpp: one HTTP exchange, behind an interface so that the registry client's
// protocol logic (auth, retries, resumes) is tested against a scripted fake, and runs on libcurl.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::registry {

struct TlsOptions {
  bool verify = true;        // false: any certificate is accepted (insecure registries only)
  std::string extra_ca_pem;  // trusted besides the system's CAs
  std::filesystem::path client_cert;
  std::filesystem::path client_key;
};

/// A request body read from part of a file, so that layers are never loaded into memory.
struct FileBody {
  std::filesystem::path path;
  std::int64_t offset = 0;
  std::int64_t length = 0;
};

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, POST, PUT, PATCH, DELETE
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent when `body_file` is unset and the method carries one
  std::optional<FileBody> body_file;
  TlsOptions tls;
  bool follow_redirects = false;  // blob GETs are redirected to storage (S3, a CDN)
  /// Receives the body of a 2xx response (with its status: 200, or 206 for a Range) as it arrives,
  /// instead of HttpResponse::body; returning false aborts the transfer (the result is then
  /// Cancelled, and the sink knows why).
  std::function<bool(long status, std::string_view data)> on_body;
  /// Upload progress: bytes of the body sent so far.
  std::function<void(std::int64_t sent)> on_upload;
  std::stop_token stop;  // aborts the transfer (Cancelled)
};

struct HttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased, in order
  std::string body;           // error bodies, manifests, tokens; empty when on_body took it
  std::string effective_url;  // after redirects

  /// The first value of a header (name in lowercase), or "".
  [[nodiscard]] std::string header(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> headers_named(std::string_view name) const;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  /// Sends `request` and returns whatever status the server answered (4xx and 5xx included).
  /// Errors, when no answer came: unavailable (connection refused, reset, timed out, name not
  /// resolved: worth a retry), failed_precondition (TLS: handshake or certificate refused),
  /// cancelled (stopped, or on_body said no), invalid_argument (a malformed URL), internal.
  /// Must be safe to call from several threads at once.
  [[nodiscard]] virtual sdk::Result<HttpResponse> send(const HttpRequest& request) = 0;
};

/// The libcurl transport (with the system's CAs via OpenSSL), keeping connections alive.
[[nodiscard]] std::unique_ptr<HttpTransport> make_curl_transport(std::string user_agent);

/// True when a transport error is TLS refusing to talk (not a network failure), which is where
/// an insecure registry falls back to plain HTTP.
[[nodiscard]] bool is_tls_failure(const sdk::Status& status);

}  // namespace dbuild::registry
