// www_authenticate.cpp: a small tokenizer for RFC 7235 challenges: scheme, then name=value
// pairs whose values may be quoted strings with backslash escapes.
#include "registry/www_authenticate.hpp"

#include <cctype>

namespace dbuild::registry {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view text) : text_(text) {}

  [[nodiscard]] bool done() const { return pos_ >= text_.size(); }
  void skip_separators() {
    while (!done() && (is_space(text_[pos_]) || text_[pos_] == ',')) ++pos_;
  }
  void skip_spaces() {
    while (!done() && is_space(text_[pos_])) ++pos_;
  }
  [[nodiscard]] char peek() const { return done() ? '\0' : text_[pos_]; }
  void advance() { ++pos_; }

  std::string_view token() {
    auto start = pos_;
    while (!done() && !is_space(text_[pos_]) && text_[pos_] != ',' && text_[pos_] != '=') ++pos_;
    return text_.substr(start, pos_ - start);
  }

  // A quoted string (with \-escapes) or a bare value up to the next comma.
  std::string value() {
    if (peek() != '"') {
      auto start = pos_;
      while (!done() && text_[pos_] != ',') ++pos_;
      auto bare = text_.substr(start, pos_ - start);
      while (!bare.empty() && is_space(bare.back())) bare.remove_suffix(1);
      return std::string(bare);
    }
    advance();
    std::string out;
    while (!done() && text_[pos_] != '"') {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
      out += text_[pos_++];
    }
    if (!done()) advance();  // the closing quote
    return out;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::vector<Challenge> parse_www_authenticate(std::string_view header) {
  std::vector<Challenge> challenges;
  Tokenizer tokens(header);
  while (true) {
    tokens.skip_separators();
    if (tokens.done()) break;
    auto name = tokens.token();
    if (name.empty()) {  // a stray '=': skip it
      tokens.advance();
      continue;
    }
    tokens.skip_spaces();
    if (tokens.peek() == '=' && !challenges.empty()) {
      tokens.advance();
      tokens.skip_spaces();
      challenges.back().params[lower(name)] = tokens.value();
      continue;
    }
    if (tokens.peek() == '=') {  // a parameter before any scheme: malformed, skip its value
      tokens.advance();
      (void)tokens.value();
      continue;
    }
    challenges.push_back({lower(name), {}});
  }
  return challenges;
}

std::vector<Challenge> parse_www_authenticate(const std::vector<std::string>& headers) {
  std::vector<Challenge> all;
  for (const auto& header : headers) {
    auto some = parse_www_authenticate(header);
    all.insert(all.end(), some.begin(), some.end());
  }
  return all;
}

}  // namespace dbuild::registry
