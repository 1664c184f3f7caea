// curl_transport.cpp: HttpTransport on libcurl. Easy handles are pooled so that connections
// (and TLS sessions) to a registry are reused across requests and threads.
#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>

#include <fmt/format.h>

#include "registry/http_transport.hpp"

namespace dbuild::registry {
namespace {

// Manifests, tokens and error documents are small; anything bigger without a sink is refused
// rather than buffered (a misbehaving server must not exhaust memory).
constexpr std::size_t kMaxBufferedBody = 16 * 1024 * 1024;

struct Transfer {
  CURL* curl = nullptr;
  const HttpRequest* request = nullptr;
  HttpResponse response;
  std::int64_t read_offset = 0;
  std::int64_t reported_upload = 0;
  int file_fd = -1;
  bool sink_refused = false;
  bool too_large = false;
};

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

// Each response (a redirect, a 100 Continue, the final one) starts with its status line: only
// the last response's headers are kept.
std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    transfer.response.headers.clear();
    return line.size();
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos)
    transfer.response.headers.emplace_back(lower(trim(line.substr(0, colon))),
                                           std::string(trim(line.substr(colon + 1))));
  return line.size();
}

std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  std::size_t bytes = size * count;
  long status = 0;
  curl_easy_getinfo(transfer.curl, CURLINFO_RESPONSE_CODE, &status);
  if (transfer.request->on_body && status >= 200 && status < 300) {
    if (transfer.request->on_body(status, {data, bytes})) return bytes;
    transfer.sink_refused = true;
    return 0;
  }
  if (transfer.response.body.size() + bytes > kMaxBufferedBody) {
    transfer.too_large = true;
    return 0;
  }
  transfer.response.body.append(data, bytes);
  return bytes;
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const auto& request = *transfer.request;
  auto wanted = static_cast<std::int64_t>(size * count);
  if (!request.body_file) {
    auto left = static_cast<std::int64_t>(request.body.size()) - transfer.read_offset;
    auto n = std::min(wanted, left);
    std::copy_n(request.body.data() + transfer.read_offset, n, buffer);
    transfer.read_offset += n;
    return static_cast<std::size_t>(n);
  }
  auto left = request.body_file->length - transfer.read_offset;
  auto n = ::pread(transfer.file_fd, buffer, static_cast<std::size_t>(std::min(wanted, left)),
                   request.body_file->offset + transfer.read_offset);
  if (n < 0) return CURL_READFUNC_ABORT;
  transfer.read_offset += n;
  return static_cast<std::size_t>(n);
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t upload_now) {
  auto& transfer = *static_cast<Transfer*>(user);
  if (transfer.request->stop.stop_requested()) return 1;
  // libcurl calls this often, also when nothing moved: report only progress.
  if (transfer.request->on_upload && upload_now > transfer.reported_upload) {
    transfer.reported_upload = upload_now;
    transfer.request->on_upload(upload_now);
  }
  return 0;
}

bool is_tls_code(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED: return true;
    default: return false;
  }
}

sdk::Status error_of(CURLcode code, const Transfer& transfer, const char* error_buffer) {
  std::string what = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
  if (transfer.sink_refused) return sdk::Status::cancelled("the transfer was stopped by its receiver");
  if (transfer.too_large) return sdk::Status::unavailable("the response is larger than 16 MiB");
  if (code == CURLE_ABORTED_BY_CALLBACK) return sdk::Status::cancelled("cancelled");
  if (is_tls_code(code)) return sdk::Status::failed_precondition("TLS: " + what);
  if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL) return sdk::Status::invalid_argument(what);
  if (code == CURLE_READ_ERROR) return sdk::Status::unavailable("reading the request body: " + what);
  return sdk::Status::unavailable(what);
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(std::string user_agent) : user_agent_(std::move(user_agent)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }
  ~CurlTransport() override {
    for (auto* handle : idle_) curl_easy_cleanup(handle);
  }

  sdk::Result<HttpResponse> send(const HttpRequest& request) override {
    CURL* curl = acquire();
    if (!curl) return sdk::Status::internal("curl_easy_init failed");
    auto result = perform(curl, request);
    release(curl);
    return result;
  }

 private:
  sdk::Result<HttpResponse> perform(CURL* curl, const HttpRequest& request);
  void set_method(CURL* curl, const HttpRequest& request);
  void set_tls(CURL* curl, const TlsOptions& tls, std::string& ca_blob);

  CURL* acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        CURL* curl = idle_.back();
        idle_.pop_back();
        return curl;
      }
    }
    return curl_easy_init();
  }
  // Reset before pooling: the handle must keep no pointer into the finished request (error
  // buffer, callbacks' data). Live connections and the TLS session cache survive a reset.
  void release(CURL* curl) {
    curl_easy_reset(curl);
    std::lock_guard lock(mutex_);
    idle_.push_back(curl);
  }

  // The system CA bundle, read once: a custom CA is added to it, never replaces it, because a
  // registry may redirect blob downloads to storage signed by a public CA.
  const std::string& system_cas() {
    std::call_once(system_cas_once_, [this] {
      const auto* info = curl_version_info(CURLVERSION_NOW);
      std::string path = info && info->cainfo ? info->cainfo : "/etc/ssl/certs/ca-certificates.crt";
      std::ifstream in(path, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      system_cas_ = text.str();
    });
    return system_cas_;
  }

  std::string user_agent_;
  std::mutex mutex_;
  std::vector<CURL*> idle_;
  std::once_flag system_cas_once_;
  std::string system_cas_;
};

void CurlTransport::set_method(CURL* curl, const HttpRequest& request) {
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    return;
  }
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    return;
  }
  if (request.method == "DELETE") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "DELETE");
    return;
  }
  // POST, PUT, PATCH: the body comes from on_read, with its length known up front.
  auto length = request.body_file ? request.body_file->length : static_cast<std::int64_t>(request.body.size());
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(length));
}

void CurlTransport::set_tls(CURL* curl, const TlsOptions& tls, std::string& ca_blob) {
  if (!tls.verify) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  } else if (!tls.extra_ca_pem.empty()) {
    ca_blob = system_cas() + "\n" + tls.extra_ca_pem;
    curl_blob blob{ca_blob.data(), ca_blob.size(), CURL_BLOB_NOCOPY};
    curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &blob);
  }
  if (!tls.client_cert.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, tls.client_cert.c_str());
    curl_easy_setopt(curl, CURLOPT_SSLKEY, tls.client_key.c_str());
  }
}

sdk::Result<HttpResponse> CurlTransport::perform(CURL* curl, const HttpRequest& request) {
  Transfer transfer;
  transfer.curl = curl;
  transfer.request = &request;
  if (request.body_file) {
    transfer.file_fd = ::open(request.body_file->path.c_str(), O_RDONLY | O_CLOEXEC);
    if (transfer.file_fd < 0)
      return sdk::Status::unavailable(
          fmt::format("opening {}: {}", request.body_file->path.string(), std::strerror(errno)));
  }
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) headers = curl_slist_append(headers, (name + ": " + value).c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip before each upload
  std::string ca_blob;

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent_.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
  // A stalled transfer (under 1 byte/s for a minute) is a dropped connection: fail and resume.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
  curl_easy_setopt(curl, CURLOPT_READDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
  if (request.follow_redirects) {
    // libcurl does not send our Authorization header to another host when following.
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
  }
  set_method(curl, request);
  set_tls(curl, request.tls, ca_blob);

  CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (transfer.file_fd >= 0) ::close(transfer.file_fd);
  if (code != CURLE_OK) return error_of(code, transfer, error_buffer);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &transfer.response.status);
  char* effective = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective)
    transfer.response.effective_url = effective;
  return std::move(transfer.response);
}

}  // namespace

std::unique_ptr<HttpTransport> make_curl_transport(std::string user_agent) {
  return std::make_unique<CurlTransport>(std::move(user_agent));
}

}  // namespace dbuild::registry
