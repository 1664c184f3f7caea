// url.cpp: see url.hpp.
#include "registry/url.hpp"

#include <cctype>

#include <fmt/format.h>

namespace dbuild::registry {

std::string url_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string url_scheme(std::string_view url) {
  auto end = url.find("://");
  return end == std::string_view::npos ? std::string() : std::string(url.substr(0, end));
}

std::string url_host(std::string_view url) {
  auto start = url.find("://");
  if (start == std::string_view::npos) return {};
  auto rest = url.substr(start + 3);
  return std::string(rest.substr(0, rest.find_first_of("/?#")));
}

std::string resolve_location(std::string_view base, std::string_view location) {
  if (location.find("://") != std::string_view::npos) return std::string(location);
  auto scheme = url_scheme(base);
  auto host = url_host(base);
  if (location.starts_with("//")) return scheme + ":" + std::string(location);
  if (!location.starts_with("/")) return scheme + "://" + host + "/" + std::string(location);
  return scheme + "://" + host + std::string(location);
}

std::string add_query(std::string_view url, std::string_view name, std::string_view value) {
  auto separator = url.find('?') == std::string_view::npos ? "?" : "&";
  return fmt::format("{}{}{}={}", url, separator, name, url_encode(value));
}

}  // namespace dbuild::registry
