// http_transport.cpp: the parts of the transport interface that do not depend on libcurl.
#include "registry/http_transport.hpp"

namespace dbuild::registry {

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (key == name) return value;
  return {};
}

std::vector<std::string> HttpResponse::headers_named(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : headers)
    if (key == name) values.push_back(value);
  return values;
}

bool is_tls_failure(const sdk::Status& status) { return status.code() == sdk::Code::FailedPrecondition; }

}  // namespace dbuild::registry
