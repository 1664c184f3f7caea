// reference.cpp: the distribution/reference grammar, written out by hand, and Docker Hub
// normalisation. The grammar is a regular expression upstream; where it could match two ways
// (is the first component a domain?), the first alternative wins, as in Go's regexp.
#include "oci/reference.hpp"

#include <algorithm>
#include <optional>

namespace dbuild::oci {
namespace {

constexpr std::size_t kNameTotalLengthMax = 255;
constexpr std::string_view kDefaultDomain = "docker.io";
constexpr std::string_view kLegacyDefaultDomain = "index.docker.io";
constexpr std::string_view kOfficialRepoPrefix = "library/";

constexpr std::string_view kInvalidFormat = "invalid reference format";

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_word(char c) { return is_alnum(c) || c == '_'; }

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  return out;
}

// path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [_.] | __ | [-]+
bool is_path_component(std::string_view component) {
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

// path := path-component ('/' path-component)*
bool is_path(std::string_view path) {
  std::size_t start = 0;
  while (true) {
    auto slash = path.find('/', start);
    if (!is_path_component(path.substr(start, slash == std::string_view::npos ? slash : slash - start))) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

// domain-name-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool is_domain_name(std::string_view name) {
  std::size_t start = 0;
  while (true) {
    auto dot = name.find('.', start);
    auto part = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (part.empty() || !is_alnum(part.front()) || !is_alnum(part.back())) return false;
    if (!std::all_of(part.begin(), part.end(), [](char c) { return is_alnum(c) || c == '-'; })) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool is_port(std::string_view port) { return !port.empty() && std::all_of(port.begin(), port.end(), is_digit); }

// domain := (domain-name | '[' [a-fA-F0-9:]+ ']') (':' [0-9]+)?
bool is_domain(std::string_view domain) {
  if (!domain.empty() && domain.front() == '[') {
    auto close = domain.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    auto address = domain.substr(1, close - 1);
    if (!std::all_of(address.begin(), address.end(), [](char c) { return is_hex(c) || c == ':'; })) return false;
    auto rest = domain.substr(close + 1);
    return rest.empty() || (rest.front() == ':' && is_port(rest.substr(1)));
  }
  auto colon = domain.find(':');
  if (colon == std::string_view::npos) return is_domain_name(domain);
  return is_domain_name(domain.substr(0, colon)) && is_port(domain.substr(colon + 1));
}

// tag := [\w][\w.-]{0,127}
bool is_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128 || !is_word(tag.front())) return false;
  return std::all_of(tag.begin(), tag.end(), [](char c) { return is_word(c) || c == '.' || c == '-'; });
}

// The reference grammar's digest: [A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*:[[:xdigit:]]{32,}
bool is_reference_digest(std::string_view digest) {
  auto colon = digest.find(':');
  if (colon == std::string_view::npos) return false;
  auto algorithm = digest.substr(0, colon);
  auto encoded = digest.substr(colon + 1);
  bool expect_letter = true;
  for (char c : algorithm) {
    if (expect_letter) {
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
      expect_letter = false;
    } else if (c == '-' || c == '_' || c == '+' || c == '.') {
      expect_letter = true;
    } else if (!is_alnum(c)) {
      return false;
    }
  }
  if (algorithm.empty() || expect_letter) return false;
  return encoded.size() >= 32 && std::all_of(encoded.begin(), encoded.end(), is_hex);
}

// go-digest's grammar for any algorithm: [a-z0-9]+([.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+
bool is_digest_grammar(std::string_view digest) {
  auto colon = digest.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == digest.size()) return false;
  bool after_separator = true;
  for (char c : digest.substr(0, colon)) {
    if (is_lower_alnum(c)) {
      after_separator = false;
    } else if ((c == '.' || c == '+' || c == '_' || c == '-') && !after_separator) {
      after_separator = true;
    } else {
      return false;
    }
  }
  auto encoded = digest.substr(colon + 1);
  return !after_separator && std::all_of(encoded.begin(), encoded.end(),
                                         [](char c) { return is_alnum(c) || c == '=' || c == '_' || c == '-'; });
}

bool is_lower_hex_of_length(std::string_view text, std::size_t length) {
  return text.size() == length &&
         std::all_of(text.begin(), text.end(), [](char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); });
}

// go-digest's Validate with only sha256 available, as the upstream test binary has it. Empty when valid.
std::string digest_error(std::string_view digest) {
  auto colon = digest.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == digest.size())
    return "invalid checksum digest format";
  if (digest.substr(0, colon) != "sha256")
    return is_digest_grammar(digest) ? "unsupported digest algorithm" : "invalid checksum digest format";
  auto encoded = digest.substr(colon + 1);
  if (encoded.size() != 64) return "invalid checksum digest length";
  if (!is_lower_hex_of_length(encoded, 64)) return "invalid checksum digest format";
  return {};
}

sdk::Status failure(std::string_view text, std::string message) {
  return sdk::Status::invalid_argument(std::move(message))
      .with_context("image reference \"" + std::string(text) + "\"");
}

// [domain '/'] path, the domain taken whenever it can be.
std::optional<Reference> match_name(std::string_view name) {
  Reference out;
  if (auto slash = name.find('/');
      slash != std::string_view::npos && is_domain(name.substr(0, slash)) && is_path(name.substr(slash + 1))) {
    out.domain = std::string(name.substr(0, slash));
    out.path = std::string(name.substr(slash + 1));
    return out;
  }
  if (!is_path(name)) return std::nullopt;
  out.path = std::string(name);
  return out;
}

// name (':' tag)? ('@' digest)?
std::optional<Reference> match_reference(std::string_view text) {
  std::string digest;
  if (auto at = text.find('@'); at != std::string_view::npos) {
    if (!is_reference_digest(text.substr(at + 1))) return std::nullopt;
    digest = std::string(text.substr(at + 1));
    text = text.substr(0, at);
  }
  std::string tag;
  // A ':' after the last '/' cannot be a port (a domain is always followed by '/'), so it starts the tag.
  if (auto colon = text.rfind(':'); colon != std::string_view::npos) {
    auto slash = text.rfind('/');
    if (slash == std::string_view::npos || colon > slash) {
      if (!is_tag(text.substr(colon + 1))) return std::nullopt;
      tag = std::string(text.substr(colon + 1));
      text = text.substr(0, colon);
    }
  }
  auto reference = match_name(text);
  if (!reference) return std::nullopt;
  reference->tag = std::move(tag);
  reference->digest = std::move(digest);
  return reference;
}

bool is_identifier(std::string_view text) { return is_lower_hex_of_length(text, 64); }

// distribution's splitDockerDomain: which registry a name means, and the rest.
std::pair<std::string, std::string> split_docker_domain(std::string_view name) {
  std::string domain(kDefaultDomain);
  std::string remainder(name);
  if (auto slash = name.find('/'); slash != std::string_view::npos) {
    auto first = name.substr(0, slash);
    if (first.find_first_of(".:") != std::string_view::npos || first == "localhost" || lower(first) != first) {
      domain = std::string(first);
      remainder = std::string(name.substr(slash + 1));
    }
  }
  if (domain == kLegacyDefaultDomain) domain = kDefaultDomain;
  if (domain == kDefaultDomain && remainder.find('/') == std::string::npos)
    remainder = std::string(kOfficialRepoPrefix) + remainder;
  return {domain, remainder};
}

}  // namespace

std::string Reference::name() const { return domain.empty() ? path : domain + "/" + path; }

std::string Reference::str() const {
  if (digest_only()) return digest;
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

std::string Reference::familiar_name() const {
  if (domain != kDefaultDomain) return name();
  // Only "library/<one component>" is an official image; "library/a/b" keeps its prefix.
  if (path.rfind(kOfficialRepoPrefix, 0) == 0 && path.find('/', kOfficialRepoPrefix.size()) == std::string::npos)
    return path.substr(kOfficialRepoPrefix.size());
  return path;
}

std::string Reference::familiar() const {
  std::string out = familiar_name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

sdk::Result<Reference> parse_unnormalized(std::string_view text) {
  auto reference = match_reference(text);
  if (!reference) {
    if (text.empty()) return failure(text, "repository name must have at least one component");
    if (match_reference(lower(text))) return failure(text, "repository name must be lowercase");
    return failure(text, std::string(kInvalidFormat));
  }
  if (reference->path.size() > kNameTotalLengthMax)
    return failure(text, "repository name must not be more than 255 characters");
  if (!reference->digest.empty())
    if (auto error = digest_error(reference->digest); !error.empty()) return failure(text, error);
  return *reference;
}

sdk::Result<Reference> parse_repository_name(std::string_view text) {
  auto reference = match_name(text);
  if (!reference) return failure(text, std::string(kInvalidFormat));
  if (reference->path.size() > kNameTotalLengthMax)
    return failure(text, "repository name must not be more than 255 characters");
  return *reference;
}

sdk::Result<Reference> parse_normalized_named(std::string_view text) {
  if (is_identifier(text))
    return failure(text,
                   "invalid repository name (" + std::string(text) + "), cannot specify 64-byte hexadecimal strings");
  auto [domain, remainder] = split_docker_domain(text);
  const std::string remote_name = remainder.substr(0, remainder.find(':'));
  if (lower(remote_name) != remote_name)
    return failure(text, std::string(kInvalidFormat) + ": repository name (" + remote_name + ") must be lowercase");
  auto reference = parse_unnormalized(domain + "/" + remainder);
  if (!reference) return failure(text, reference.status().message());
  return reference;
}

sdk::Result<Reference> parse_any_reference(std::string_view text) {
  Reference digest_only;
  if (is_identifier(text)) {
    digest_only.digest = "sha256:" + std::string(text);
    return digest_only;
  }
  if (digest_error(text).empty()) {
    digest_only.digest = std::string(text);
    return digest_only;
  }
  return parse_normalized_named(text);
}

sdk::Result<Reference> parse_docker_ref(std::string_view text) {
  auto reference = parse_normalized_named(text);
  if (!reference) return reference;
  if (!reference->digest.empty()) {
    reference->tag.clear();
  } else if (reference->tag.empty()) {
    reference->tag = "latest";
  }
  return reference;
}

sdk::Result<Reference> parse_reference(std::string_view text) {
  auto reference = parse_normalized_named(text);
  if (!reference) return reference;
  if (reference->domain.empty()) return failure(text, std::string(kInvalidFormat) + ": no registry");
  if (reference->tag.empty() && reference->digest.empty()) reference->tag = "latest";
  return reference;
}

}  // namespace dbuild::oci
