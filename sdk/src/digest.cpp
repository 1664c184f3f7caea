// digest.cpp: validation of digest strings against the OCI image spec's grammar.
#include <dbuild/sdk/digest.hpp>

namespace dbuild::sdk {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_lower_hex(char c) { return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9'); }

// algorithm-component ::= [a-z0-9]+ ; algorithm-separator ::= [+._-]
bool valid_algorithm(std::string_view algorithm) {
  if (algorithm.empty()) return false;
  bool after_separator = true;
  for (char c : algorithm) {
    if (is_lower_alnum(c)) {
      after_separator = false;
      continue;
    }
    if ((c == '+' || c == '.' || c == '_' || c == '-') && !after_separator) {
      after_separator = true;
      continue;
    }
    return false;
  }
  return !after_separator;
}

// encoded ::= [a-zA-Z0-9=_-]+
bool valid_encoded(std::string_view encoded) {
  if (encoded.empty()) return false;
  for (char c : encoded) {
    bool ok = is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '=' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool valid_hex(std::string_view encoded, std::size_t length) {
  if (encoded.size() != length) return false;
  for (char c : encoded)
    if (!is_lower_hex(c)) return false;
  return true;
}

}  // namespace

Result<Digest> Digest::parse(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos)
    return Status::invalid_argument("invalid digest \"" + std::string(text) + "\": missing \"algorithm:\" prefix");
  auto algorithm = text.substr(0, colon);
  auto encoded = text.substr(colon + 1);
  if (!valid_algorithm(algorithm) || !valid_encoded(encoded))
    return Status::invalid_argument("invalid digest \"" + std::string(text) + "\"");
  if (algorithm == "sha256" && !valid_hex(encoded, 64))
    return Status::invalid_argument("invalid digest \"" + std::string(text) + "\": sha256 needs 64 lowercase hex digits");
  if (algorithm == "sha512" && !valid_hex(encoded, 128))
    return Status::invalid_argument("invalid digest \"" + std::string(text) + "\": sha512 needs 128 lowercase hex digits");
  return Digest(std::string(algorithm), std::string(encoded));
}

std::string Digest::str() const {
  if (empty()) return {};
  return algorithm_ + ":" + encoded_;
}

}  // namespace dbuild::sdk
