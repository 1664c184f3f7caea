// reference.cpp: the distribution/reference grammar, written out by hand.
#include "oci/reference.hpp"

#include <cctype>

#include <dbuild/sdk/digest.hpp>

namespace dbuild::oci {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [_.] | __ | [-]+
bool valid_path_component(std::string_view component) {
  if (component.empty() || !is_lower_alnum(component.front()) || !is_lower_alnum(component.back())) return false;
  std::size_t i = 0;
  while (i < component.size()) {
    if (is_lower_alnum(component[i])) {
      ++i;
      continue;
    }
    std::size_t start = i;
    while (i < component.size() && !is_lower_alnum(component[i])) ++i;
    auto separator = component.substr(start, i - start);
    bool dashes = separator.find_first_not_of('-') == std::string_view::npos;
    if (!(separator == "." || separator == "_" || separator == "__" || dashes)) return false;
  }
  return true;
}

// domain := host (':' port)?; host components are [a-zA-Z0-9-]+ joined by '.', or an IPv6 in [].
bool valid_domain(std::string_view domain) {
  if (domain.empty()) return false;
  std::string_view host = domain;
  if (auto colon = domain.rfind(':'); colon != std::string_view::npos && domain.back() != ']') {
    auto port = domain.substr(colon + 1);
    if (port.empty() || port.find_first_not_of("0123456789") != std::string_view::npos) return false;
    host = domain.substr(0, colon);
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return true;
  if (host.empty()) return false;
  std::size_t start = 0;
  while (start <= host.size()) {
    auto dot = host.find('.', start);
    auto part = host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty() || part.front() == '-' || part.back() == '-') return false;
    for (char c : part)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

bool valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  if (!(std::isalnum(static_cast<unsigned char>(tag[0])) || tag[0] == '_')) return false;
  for (char c : tag)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) return false;
  return true;
}

sdk::Status invalid(std::string_view text, std::string_view why) {
  return sdk::Status::invalid_argument("invalid reference format: \"" + std::string(text) + "\": " + std::string(why));
}

}  // namespace

std::string Reference::str() const {
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

std::string Reference::familiar() const {
  std::string out = name();
  if (domain == "docker.io") {
    out = path.rfind("library/", 0) == 0 ? path.substr(8) : path;
  }
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

sdk::Result<Reference> parse_reference(std::string_view text) {
  if (text.empty()) return invalid(text, "empty");
  if (text.size() > 255 + 128 + 72) return invalid(text, "too long");
  Reference reference;
  std::string_view rest = text;
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    auto digest = rest.substr(at + 1);
    if (auto parsed = sdk::Digest::parse(digest); !parsed) return invalid(text, "bad digest");
    reference.digest = std::string(digest);
    rest = rest.substr(0, at);
  }
  auto last_slash = rest.rfind('/');
  if (auto colon = rest.rfind(':'); colon != std::string_view::npos &&
                                    (last_slash == std::string_view::npos || colon > last_slash)) {
    auto tag = rest.substr(colon + 1);
    if (!valid_tag(tag)) return invalid(text, "bad tag");
    reference.tag = std::string(tag);
    rest = rest.substr(0, colon);
  }
  auto first_slash = rest.find('/');
  auto first = rest.substr(0, first_slash);
  bool has_domain = first_slash != std::string_view::npos &&
                    (first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
                     first == "localhost" || first.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string_view::npos);
  std::string_view path = rest;
  if (has_domain) {
    if (!valid_domain(first)) return invalid(text, "bad registry host");
    reference.domain = std::string(first);
    path = rest.substr(first_slash + 1);
  } else {
    reference.domain = "docker.io";
  }
  if (reference.domain == "index.docker.io") reference.domain = "docker.io";
  if (path.empty()) return invalid(text, "missing repository");
  std::size_t start = 0;
  while (true) {
    auto slash = path.find('/', start);
    auto component = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!valid_path_component(component)) {
      bool upper = component.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string_view::npos;
      return invalid(text, upper ? "repository name must be lowercase" : "bad repository name");
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  reference.path = std::string(path);
  if (reference.domain == "docker.io" && reference.path.find('/') == std::string::npos)
    reference.path = "library/" + reference.path;
  if (reference.tag.empty() && reference.digest.empty()) reference.tag = "latest";
  if (reference.name().size() > 255) return invalid(text, "repository name must not be more than 255 characters");
  return reference;
}

}  // namespace dbuild::oci
