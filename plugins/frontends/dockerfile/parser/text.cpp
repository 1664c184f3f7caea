// text.cpp: Go's UTF-8, whitespace, quoting and integer-parsing rules (see text.hpp).
#include "parser/text.hpp"

#include <algorithm>
#include <limits>

namespace dbuild::dockerfile::parser_text {
namespace {

constexpr char kHex[] = "0123456789abcdef";

bool is_continuation(unsigned char byte) noexcept { return (byte & 0xC0) == 0x80; }

// Go's [\t\v\f\r ] class, used by the parser's whitespace regexp.
bool is_regexp_space(char c) noexcept { return c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == ' '; }

void append_hex(std::string& out, std::uint32_t value, int digits) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out.push_back(kHex[(value >> shift) & 0xF]);
}

void append_escaped_rune(std::string& out, char32_t rune) {
  if (rune == '"' || rune == '\\') {
    out.push_back('\\');
    out.push_back(static_cast<char>(rune));
    return;
  }
  if (is_print(rune)) return append_rune(out, rune);
  switch (rune) {
    case '\a': out += "\\a"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    case '\v': out += "\\v"; return;
    default: break;
  }
  if (rune < ' ' || rune == 0x7F) {
    out += "\\x";
    return append_hex(out, rune, 2);
  }
  if (rune < 0x10000) {
    out += "\\u";
    return append_hex(out, rune, 4);
  }
  out += "\\U";
  append_hex(out, rune, 8);
}

sdk::Status number_error(std::string_view function, std::string_view text, std::string_view why) {
  return sdk::Status::invalid_argument("strconv." + std::string(function) + ": parsing " + quote(text) + ": " +
                                       std::string(why));
}

// The digits of an unsigned number in `base` (2..36), with Go's overflow rule against `max`.
sdk::Result<std::uint64_t> parse_digits(std::string_view function, std::string_view original, std::string_view digits,
                                        int base, std::uint64_t max) {
  if (digits.empty()) return number_error(function, original, "invalid syntax");
  std::uint64_t value = 0;
  bool overflow = false;
  for (char c : digits) {
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (c >= 'a' && c <= 'z') digit = c - 'a' + 10;
    if (c >= 'A' && c <= 'Z') digit = c - 'A' + 10;
    if (digit < 0 || digit >= base) return number_error(function, original, "invalid syntax");
    if (overflow) continue;
    if (value > (max - static_cast<std::uint64_t>(digit)) / static_cast<std::uint64_t>(base)) {
      overflow = true;
      continue;
    }
    value = value * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(digit);
  }
  if (overflow) return number_error(function, original, "value out of range");
  return value;
}

}  // namespace

Rune decode_rune(std::string_view text) noexcept {
  const auto b0 = static_cast<unsigned char>(text[0]);
  if (b0 < 0x80) return {b0, 1};
  std::size_t need = 0;
  char32_t value = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1, value = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2, value = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3, value = b0 & 0x07, min = 0x10000;
  } else {
    return {};
  }
  if (text.size() <= need) return {};
  for (std::size_t i = 1; i <= need; ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (!is_continuation(b)) return {};
    value = (value << 6) | (b & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return {};
  return {value, need + 1};
}

void append_rune(std::string& out, char32_t rune) {
  if (rune > 0x10FFFF || (rune >= 0xD800 && rune <= 0xDFFF)) rune = 0xFFFD;
  if (rune < 0x80) {
    out.push_back(static_cast<char>(rune));
  } else if (rune < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (rune >> 6)));
    out.push_back(static_cast<char>(0x80 | (rune & 0x3F)));
  } else if (rune < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (rune >> 12)));
    out.push_back(static_cast<char>(0x80 | ((rune >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (rune & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (rune >> 18)));
    out.push_back(static_cast<char>(0x80 | ((rune >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((rune >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (rune & 0x3F)));
  }
}

bool is_space(char32_t rune) noexcept {
  switch (rune) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ': case 0x85: case 0xA0:
    case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return rune >= 0x2000 && rune <= 0x200A;
  }
}

// Go's IsPrint is "graphic, or the ASCII space". Without Unicode's category tables this treats
// every code point above ASCII as printable except the ones Go is known to escape: C1 controls,
// non-ASCII spaces, format characters, private use and noncharacters. Unassigned code points,
// which Go escapes, print literally here; the dump of a Dockerfile never meets them in practice.
bool is_print(char32_t rune) noexcept {
  if (rune < 0x80) return rune >= 0x20 && rune < 0x7F;
  if (rune <= 0xA0 || rune == 0xAD || is_space(rune)) return false;
  if (rune == 0x61C || rune == 0x180E || (rune >= 0x200B && rune <= 0x200F)) return false;
  if ((rune >= 0x2028 && rune <= 0x202E) || (rune >= 0x2060 && rune <= 0x206F)) return false;
  if (rune >= 0xD800 && rune <= 0xF8FF) return false;  // surrogates and private use
  if (rune >= 0xFDD0 && rune <= 0xFDEF) return false;
  if (rune == 0xFEFF || (rune >= 0xFFF9 && rune <= 0xFFFB)) return false;
  if ((rune & 0xFFFE) == 0xFFFE) return false;  // U+xFFFE and U+xFFFF in every plane
  if (rune >= 0xE0000) return false;            // tags, variation selectors supplement aside, private use
  return rune <= 0x10FFFF;
}

std::string_view trim_left_space(std::string_view text) noexcept {
  while (!text.empty()) {
    const Rune rune = decode_rune(text);
    if (!is_space(rune.value)) break;
    text.remove_prefix(rune.width);
  }
  return text;
}

std::string_view trim_space(std::string_view text) noexcept {
  text = trim_left_space(text);
  std::size_t kept = 0;
  for (std::size_t position = 0; position < text.size();) {
    const Rune rune = decode_rune(text.substr(position));
    position += rune.width;
    if (!is_space(rune.value)) kept = position;
  }
  return text.substr(0, kept);
}

std::string_view trim_newline(std::string_view text) noexcept {
  while (!text.empty() && (text.back() == '\r' || text.back() == '\n')) text.remove_suffix(1);
  return text;
}

std::vector<std::string> split_whitespace(std::string_view text, int n) {
  if (n == 0) return {};
  if (text.empty()) return {""};
  std::vector<std::string> pieces;
  std::size_t begin = 0;
  std::size_t end = 0;
  int matches = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (!is_regexp_space(text[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && is_regexp_space(text[j])) ++j;
    if (n > 0 && matches == n) break;  // FindAllStringIndex(text, n) returns at most n matches
    ++matches;
    if (n > 0 && static_cast<int>(pieces.size()) == n - 1) break;
    end = i;
    if (j != 0) pieces.emplace_back(text.substr(begin, end - begin));
    begin = j;
    i = j;
  }
  if (end != text.size()) pieces.emplace_back(text.substr(begin));
  return pieces;
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; });
  return out;
}

std::string to_upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c; });
  return out;
}

bool equal_fold(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && to_lower(a) == to_lower(b);
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  while (!text.empty()) {
    const Rune rune = decode_rune(text);
    if (rune.value == 0xFFFD && rune.width == 1) {
      out += "\\x";
      append_hex(out, static_cast<unsigned char>(text[0]), 2);
    } else {
      append_escaped_rune(out, rune.value);
    }
    text.remove_prefix(rune.width);
  }
  out.push_back('"');
  return out;
}

std::string quote_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(' ');
    out += quote(items[i]);
  }
  out.push_back(']');
  return out;
}

sdk::Result<std::int64_t> parse_int(std::string_view text, int base, int bits) {
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  const std::uint64_t cutoff = std::uint64_t{1} << (bits - 1);
  auto magnitude = parse_digits("ParseInt", text, digits, base, negative ? cutoff : cutoff - 1);
  if (!magnitude) return magnitude.status();
  if (negative) return static_cast<std::int64_t>(0 - *magnitude);
  return static_cast<std::int64_t>(*magnitude);
}

sdk::Result<std::uint64_t> parse_uint(std::string_view text, int base, int bits) {
  const std::uint64_t max = bits >= 64 ? std::numeric_limits<std::uint64_t>::max() : (std::uint64_t{1} << bits) - 1;
  return parse_digits("ParseUint", text, text, base, max);
}

std::optional<bool> parse_bool(std::string_view text) noexcept {
  if (text == "1" || text == "t" || text == "T" || text == "TRUE" || text == "true" || text == "True") return true;
  if (text == "0" || text == "f" || text == "F" || text == "FALSE" || text == "false" || text == "False") return false;
  return std::nullopt;
}

}  // namespace dbuild::dockerfile::parser_text
