// go_text.cpp: Go's UTF-8 decoding, rune classes and strconv.Quote, as BuildKit's lexer sees them.
#include "shell/go_text.hpp"

#include <algorithm>
#include <array>

#include "shell/unicode_tables.hpp"

namespace dbuild::dockerfile::go_text {
namespace {

constexpr Rune kMaxRune = 0x10FFFF;

bool in_ranges(const auto& ranges, Rune rune) noexcept {
  const auto code = static_cast<std::uint32_t>(rune);
  auto it = std::upper_bound(ranges.begin(), ranges.end(), code,
                             [](std::uint32_t value, const unicode_tables::CodeRange& r) { return value < r.first; });
  if (it == ranges.begin()) return false;
  return code <= std::prev(it)->last;
}

// The length of a sequence by its first byte, and the range its second byte must fall in (the
// narrower ranges exclude overlong forms, surrogates and values past U+10FFFF).
struct Lead {
  std::size_t size = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
};

Lead lead_of(unsigned char byte) noexcept {
  if (byte >= 0xC2 && byte <= 0xDF) return {2};
  if (byte == 0xE0) return {3, 0xA0, 0xBF};
  if (byte == 0xED) return {3, 0x80, 0x9F};
  if (byte >= 0xE1 && byte <= 0xEF) return {3};
  if (byte == 0xF0) return {4, 0x90, 0xBF};
  if (byte >= 0xF1 && byte <= 0xF3) return {4};
  if (byte == 0xF4) return {4, 0x80, 0x8F};
  return {};
}

bool is_continuation(unsigned char byte) noexcept { return byte >= 0x80 && byte <= 0xBF; }

void append_hex(std::string& out, std::uint32_t value, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kHex[(value >> shift) & 0xF];
}

void append_escaped(std::string& out, Rune rune) {
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
    append_hex(out, static_cast<std::uint32_t>(rune), 2);
  } else if (rune < 0x10000) {
    out += "\\u";
    append_hex(out, static_cast<std::uint32_t>(rune), 4);
  } else {
    out += "\\U";
    append_hex(out, static_cast<std::uint32_t>(rune), 8);
  }
}

}  // namespace

Decoded decode_rune(std::string_view text) noexcept {
  if (text.empty()) return {kRuneError, 0};
  const auto first = static_cast<unsigned char>(text[0]);
  if (first < 0x80) return {first, 1};
  const Lead lead = lead_of(first);
  if (lead.size == 0 || text.size() < lead.size) return {kRuneError, 1};
  const auto second = static_cast<unsigned char>(text[1]);
  if (second < lead.low || second > lead.high) return {kRuneError, 1};
  if (lead.size == 2) return {static_cast<Rune>(((first & 0x1F) << 6) | (second & 0x3F)), 2};
  const auto third = static_cast<unsigned char>(text[2]);
  if (!is_continuation(third)) return {kRuneError, 1};
  if (lead.size == 3) {
    return {static_cast<Rune>(((first & 0x0F) << 12) | ((second & 0x3F) << 6) | (third & 0x3F)), 3};
  }
  const auto fourth = static_cast<unsigned char>(text[3]);
  if (!is_continuation(fourth)) return {kRuneError, 1};
  return {static_cast<Rune>(((first & 0x07) << 18) | ((second & 0x3F) << 12) | ((third & 0x3F) << 6) | (fourth & 0x3F)),
          4};
}

void append_rune(std::string& out, Rune rune) {
  if (rune < 0 || rune > kMaxRune || (rune >= 0xD800 && rune <= 0xDFFF)) rune = kRuneError;
  const auto code = static_cast<std::uint32_t>(rune);
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

std::string rune_string(Rune rune) {
  std::string out;
  append_rune(out, rune);
  return out;
}

std::vector<Rune> runes_of(std::string_view text) {
  std::vector<Rune> runes;
  while (!text.empty()) {
    const Decoded decoded = decode_rune(text);
    runes.push_back(decoded.rune);
    text.remove_prefix(decoded.width);
  }
  return runes;
}

std::string string_of(const std::vector<Rune>& runes) {
  std::string out;
  for (Rune rune : runes) append_rune(out, rune);
  return out;
}

bool is_space(Rune rune) noexcept {
  // unicode.White_Space; U+2000..U+200A are the typographic spaces.
  constexpr std::array<Rune, 14> kSpaces = {'\t', '\n',   '\v',   '\f',   '\r',   ' ',    0x85,
                                            0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000};
  if (rune >= 0x2000 && rune <= 0x200A) return true;
  return std::find(kSpaces.begin(), kSpaces.end(), rune) != kSpaces.end();
}

bool is_letter(Rune rune) noexcept { return rune >= 0 && in_ranges(unicode_tables::kLetters, rune); }

bool is_digit(Rune rune) noexcept {
  if (rune <= 0xFF) return rune >= '0' && rune <= '9';
  return in_ranges(unicode_tables::kDigits, rune);
}

bool is_print(Rune rune) noexcept {
  return rune == ' ' || (rune >= 0 && in_ranges(unicode_tables::kGraphicNoSpace, rune));
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  while (!text.empty()) {
    const Decoded decoded = decode_rune(text);
    if (decoded.width == 1 && decoded.rune == kRuneError) {
      out += "\\x";
      append_hex(out, static_cast<unsigned char>(text[0]), 2);
    } else if (decoded.rune == '"' || decoded.rune == '\\') {
      out += '\\';
      out += static_cast<char>(decoded.rune);
    } else if (is_print(decoded.rune)) {
      out += text.substr(0, decoded.width);
    } else {
      append_escaped(out, decoded.rune);
    }
    text.remove_prefix(decoded.width);
  }
  out += '"';
  return out;
}

Scanner::Scanner(std::string_view text) : text_(text) {
  load();
  if (current_ == 0xFEFF) load();
}

Rune Scanner::next() noexcept {
  const Rune rune = current_;
  if (rune != kEof) load();
  return rune;
}

void Scanner::load() noexcept {
  if (position_ >= text_.size()) {
    current_ = kEof;
    return;
  }
  const Decoded decoded = decode_rune(text_.substr(position_));
  current_ = decoded.rune;
  position_ += decoded.width;
}

}  // namespace dbuild::dockerfile::go_text
