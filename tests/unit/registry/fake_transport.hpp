// fake_transport.hpp: an HttpTransport whose answers a test scripts, recording every request;
// 2xx bodies go to the request's sink as the real transport does.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "registry/http_transport.hpp"

namespace dbuild::test {

class FakeTransport final : public registry::HttpTransport {
 public:
  using Handler = std::function<sdk::Result<registry::HttpResponse>(const registry::HttpRequest&)>;
  explicit FakeTransport(Handler handler) : handler_(std::move(handler)) {}

  sdk::Result<registry::HttpResponse> send(const registry::HttpRequest& request) override {
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
    }
    auto response = handler_(request);
    if (response && request.on_body && response->status / 100 == 2 && !response->body.empty()) {
      if (!request.on_body(response->status, response->body)) return sdk::Status::cancelled("sink refused");
      response->body.clear();
    }
    return response;
  }

  std::vector<registry::HttpRequest> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::size_t count() {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }

 private:
  Handler handler_;
  std::mutex mutex_;
  std::vector<registry::HttpRequest> requests_;
};

inline registry::HttpResponse respond(long status, std::string body = {},
                                      std::vector<std::pair<std::string, std::string>> headers = {}) {
  registry::HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  return response;
}

inline std::string header_of(const registry::HttpRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers)
    if (key == name) return value;
  return {};
}

}  // namespace dbuild::test
