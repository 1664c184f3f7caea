// client_core.cpp: endpoints, TLS, authorization and retries for every registry request.
#include "registry/client_core.hpp"

#include <thread>

#include <fmt/format.h>

#include "registry/registry_errors.hpp"
#include "registry/url.hpp"

namespace dbuild::registry {
namespace {

sdk::Status transport_failure(const sdk::Status& status, const std::string& registry, const std::string& host) {
  sdk::Status failure(status.code(), fmt::format("{}: {}", registry, status.message()));
  if (!is_tls_failure(status)) return failure;
  return std::move(failure).with_hint(fmt::format(
      "if the registry uses a private CA, put it in /etc/docker/certs.d/{0}/ca.crt or "
      "$DBUILD_CONFIG/certs.d/{0}/ca.crt; "
      "a registry without valid TLS must be listed in \"insecure-registries\" of ~/.config/dbuild/config.json",
      host));
}

}  // namespace

ClientCore::ClientCore(ClientOptions options, std::unique_ptr<HttpTransport> transport)
    : options_(std::move(options)), transport_(std::move(transport)) {
  if (!transport_) transport_ = make_curl_transport(options_.user_agent);
  if (!options_.sleep) options_.sleep = [](std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); };
  if (!options_.clock) options_.clock = [] { return std::chrono::system_clock::now(); };
  auth_ = make_authenticator(options_.credentials);
}

std::unique_ptr<Authenticator> ClientCore::make_authenticator(CredentialProvider* credentials) {
  return std::make_unique<Authenticator>(
      credentials, [this](HttpRequest request) { return send_token_request(std::move(request)); }, options_.clock);
}

ClientCore::HostState ClientCore::host_state(const std::string& registry) {
  std::lock_guard lock(mutex_);
  auto found = hosts_.find(registry);
  if (found == hosts_.end()) found = hosts_.emplace(registry, HostState{endpoint_for(options_.hosts, registry)}).first;
  return found->second;
}

void ClientCore::fall_back_to_http(const std::string& registry) {
  std::lock_guard lock(mutex_);
  hosts_[registry].scheme = "http";
}

std::string ClientCore::base_url(const std::string& registry) {
  auto state = host_state(registry);
  return state.scheme + "://" + state.endpoint.host;
}

TlsOptions ClientCore::tls_for(const std::string& url) {
  auto host = url_host(url);
  auto endpoint = host_state(normalize_registry(host)).endpoint;
  TlsOptions tls;
  tls.verify = !endpoint.insecure;
  tls.extra_ca_pem = endpoint.ca_pem;
  tls.client_cert = endpoint.client_cert;
  tls.client_key = endpoint.client_key;
  return tls;
}

sdk::Result<HttpResponse> ClientCore::exchange(const HttpRequest& request) {
  auto response = transport_->send(request);
  if (options_.on_request) {
    RequestRecord record{request.method, request.url};
    if (response)
      record.status = response->status;
    else
      record.error = response.status().message();
    options_.on_request(record);
  }
  return response;
}

// Token servers get the same retry rules as registries, without authorization of their own.
sdk::Result<HttpResponse> ClientCore::send_token_request(HttpRequest request) {
  request.tls = tls_for(request.url);
  for (int attempt = 1;; ++attempt) {
    auto response = exchange(request);
    bool last = attempt >= options_.retry.max_attempts;
    if (!response) {
      if (last || response.status().code() != sdk::Code::Unavailable) return response;
      sleep(backoff_delay(options_.retry, attempt));
      continue;
    }
    if (last || !is_retryable_status(response->status)) return response;
    sleep(backoff_delay(options_.retry, attempt, parse_retry_after(response->header("retry-after"), options_.clock())));
  }
}

sdk::Result<HttpResponse> ClientCore::send(const Call& call, HttpRequest request, Authenticator* auth) {
  if (!auth) auth = auth_.get();
  auto authorization = auth->authorization(call.registry, call.scopes);
  if (!authorization) return authorization.status();
  bool reauthorized = false;
  bool fell_back = false;
  for (int attempt = 1;;) {
    auto state = host_state(call.registry);
    HttpRequest sent = request;
    sent.url = resolve_location(state.scheme + "://" + state.endpoint.host, request.url);
    sent.tls = tls_for(sent.url);
    if (!authorization->empty()) sent.headers.emplace_back("Authorization", *authorization);
    bool may_retry = call.retry == Retry::Yes && attempt < options_.retry.max_attempts;

    auto response = exchange(sent);
    if (!response) {
      // An insecure registry that does not speak TLS: plain HTTP, from now on.
      if (is_tls_failure(response.status()) && state.endpoint.insecure && state.scheme == "https" && !fell_back &&
          url_scheme(sent.url) == "https") {
        fall_back_to_http(call.registry);
        fell_back = true;
        continue;
      }
      if (!may_retry || response.status().code() != sdk::Code::Unavailable)
        return transport_failure(response.status(), call.registry, state.endpoint.host);
      sleep(backoff_delay(options_.retry, attempt++));
      continue;
    }
    if (response->status == 401) {
      if (reauthorized)
        return unauthorized(call.registry, registry_error_message(*response), auth->username(call.registry));
      authorization = auth->reauthorize(call.registry, call.scopes, *response, *authorization);
      if (!authorization) return authorization.status();
      reauthorized = true;
      continue;
    }
    if (!may_retry || !is_retryable_status(response->status)) return response;
    auto retry_after = parse_retry_after(response->header("retry-after"), options_.clock());
    if (retry_after && *retry_after > options_.retry.max_retry_after) return response;
    sleep(backoff_delay(options_.retry, attempt++, retry_after));
  }
}

}  // namespace dbuild::registry
