// www_authenticate.hpp: parsing the challenges a registry sends with a 401 (RFC 7235's
// WWW-Authenticate), e.g. `Bearer realm="https://auth.docker.io/token",service="registry.docker.io"`.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dbuild::registry {

struct Challenge {
  std::string scheme;                         // lowercased: "basic", "bearer"
  std::map<std::string, std::string> params;  // keys lowercased, values unquoted

  [[nodiscard]] std::string param(const std::string& name) const {
    auto found = params.find(name);
    return found == params.end() ? std::string() : found->second;
  }
};

/// The challenges in one header value, in order. A header may hold several ("Basic realm=x,
/// Bearer realm=y"), and values may be quoted with commas inside ("scope=\"repository:a:pull,push\"").
/// Malformed parts are skipped rather than failing: a registry's odd header should not hide the
/// challenges we can read.
[[nodiscard]] std::vector<Challenge> parse_www_authenticate(std::string_view header);

/// The challenges of all the given header values, in order.
[[nodiscard]] std::vector<Challenge> parse_www_authenticate(const std::vector<std::string>& headers);

}  // namespace dbuild::registry
