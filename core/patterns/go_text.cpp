// go_text.cpp: Go's UTF-8 decoding, TrimSpace and filepath.Clean/Dir, as the matchers need them.
#include "patterns/go_text.hpp"

#include <cstdint>

namespace dbuild::patterns {
namespace {

constexpr bool is_continuation(unsigned char byte) noexcept { return (byte & 0xC0) == 0x80; }

// The valid range of the second byte depends on the first (this is what rules out overlong
// forms, surrogates and values above U+10FFFF); later bytes are any continuation byte.
struct LeadInfo {
  std::size_t width;
  unsigned char second_lo;
  unsigned char second_hi;
};

constexpr LeadInfo lead_info(unsigned char lead) noexcept {
  if (lead >= 0xC2 && lead <= 0xDF) return {2, 0x80, 0xBF};
  if (lead == 0xE0) return {3, 0xA0, 0xBF};
  if (lead == 0xED) return {3, 0x80, 0x9F};
  if (lead >= 0xE1 && lead <= 0xEF) return {3, 0x80, 0xBF};
  if (lead == 0xF0) return {4, 0x90, 0xBF};
  if (lead >= 0xF1 && lead <= 0xF3) return {4, 0x80, 0xBF};
  if (lead == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

DecodedRune decode_last_rune(std::string_view text) noexcept {
  const std::size_t end = text.size();
  std::size_t start = end - 1;
  if (static_cast<unsigned char>(text[start]) < 0x80) return {static_cast<char32_t>(text[start]), 1};
  const std::size_t limit = end >= 4 ? end - 4 : 0;
  while (start > limit && is_continuation(static_cast<unsigned char>(text[start]))) --start;
  const DecodedRune decoded = decode_rune(text.substr(start));
  if (start + decoded.width != end) return {kRuneError, 1};
  return decoded;
}

}  // namespace

DecodedRune decode_rune(std::string_view text) noexcept {
  if (text.empty()) return {kRuneError, 0};
  const auto lead = static_cast<unsigned char>(text[0]);
  if (lead < 0x80) return {lead, 1};
  const LeadInfo info = lead_info(lead);
  if (info.width == 0 || text.size() < info.width) return {kRuneError, 1};
  const auto second = static_cast<unsigned char>(text[1]);
  if (second < info.second_lo || second > info.second_hi) return {kRuneError, 1};
  char32_t rune = lead & (0xFF >> (info.width + 1));
  rune = (rune << 6) | (second & 0x3F);
  for (std::size_t i = 2; i < info.width; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (!is_continuation(byte)) return {kRuneError, 1};
    rune = (rune << 6) | (byte & 0x3F);
  }
  return {rune, info.width};
}

void append_utf8(std::string& out, char32_t rune) {
  if (rune > 0x10FFFF || (rune >= 0xD800 && rune <= 0xDFFF)) rune = kRuneError;
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

bool is_unicode_space(char32_t rune) noexcept {
  switch (rune) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000: return true;
    default: return rune >= 0x2000 && rune <= 0x200A;
  }
}

std::string_view trim_space(std::string_view text) noexcept {
  while (!text.empty()) {
    const DecodedRune first = decode_rune(text);
    if (!is_unicode_space(first.rune)) break;
    text.remove_prefix(first.width);
  }
  while (!text.empty()) {
    const DecodedRune last = decode_last_rune(text);
    if (!is_unicode_space(last.rune)) break;
    text.remove_suffix(last.width);
  }
  return text;
}

std::string clean_path(std::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path[0] == '/';
  const std::size_t n = path.size();
  std::string out;
  out.reserve(n);
  std::size_t read = 0;
  std::size_t dotdot = 0;  // out[:dotdot] cannot be backtracked over by ".."
  if (rooted) {
    out.push_back('/');
    read = 1;
    dotdot = 1;
  }
  while (read < n) {
    const bool at_end_1 = read + 1 == n || path[read + 1] == '/';
    if (path[read] == '/') {
      ++read;
    } else if (path[read] == '.' && at_end_1) {
      ++read;
    } else if (path[read] == '.' && path[read + 1] == '.' && (read + 2 == n || path[read + 2] == '/')) {
      read += 2;
      if (out.size() > dotdot) {
        std::size_t w = out.size() - 1;
        while (w > dotdot && out[w] != '/') --w;
        out.resize(w);
      } else if (!rooted) {
        if (!out.empty()) out.push_back('/');
        out += "..";
        dotdot = out.size();
      }
    } else {
      if ((rooted && out.size() != 1) || (!rooted && !out.empty())) out.push_back('/');
      while (read < n && path[read] != '/') out.push_back(path[read++]);
    }
  }
  if (out.empty()) return ".";
  return out;
}

std::string dir_path(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  return clean_path(path.substr(0, slash + 1));
}

}  // namespace dbuild::patterns
