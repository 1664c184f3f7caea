// format.cpp: byte sizes and offsets in BuildKit's spelling, UTF-8 checks and terminal clipping.
#include "cli/progress/format.hpp"

#include <algorithm>
#include <array>
#include <iterator>

#include <fmt/format.h>

namespace dbuild::progress {
namespace {

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;

bool is_continuation(unsigned char byte) noexcept { return (byte & 0xC0) == 0x80; }

// Length of the UTF-8 sequence that starts at text[at], or 0 when it is malformed there.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at) noexcept {
  auto lead = static_cast<unsigned char>(text[at]);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  std::uint32_t code_point = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code_point = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code_point = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    auto byte = static_cast<unsigned char>(text[at + i]);
    if (!is_continuation(byte)) return 0;
    code_point = (code_point << 6) | (byte & 0x3F);
  }
  static constexpr std::array<std::uint32_t, 5> kSmallest = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kSmallest[length]) return 0;                // overlong
  if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;  // surrogate
  if (code_point > 0x10FFFF) return 0;
  return length;
}

// Skips an escape sequence starting at text[at] (ESC); returns the index just past it.
std::size_t skip_escape(std::string_view text, std::size_t at) noexcept {
  std::size_t i = at + 1;
  if (i >= text.size()) return i;
  if (text[i] == '[') {  // CSI: parameters and intermediates, then one final byte in @..~
    for (++i; i < text.size(); ++i) {
      if (text[i] >= '@' && text[i] <= '~') return i + 1;
    }
    return i;
  }
  if (text[i] == ']') {  // OSC: runs to BEL or ESC backslash
    for (++i; i < text.size(); ++i) {
      if (text[i] == '\a') return i + 1;
      if (text[i] == '\x1b') return std::min(i + 2, text.size());
    }
    return i;
  }
  return i + 1;  // a two-byte sequence such as ESC 7
}

// What a terminal shows of a line with carriage returns: the last non-empty segment.
std::string_view after_carriage_return(std::string_view line) noexcept {
  while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  auto last = line.rfind('\r');
  return last == std::string_view::npos ? line : line.substr(last + 1);
}

}  // namespace

void append_bytes(std::string& out, std::int64_t bytes) {
  static constexpr std::array<const char*, 7> kUnits = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  if (bytes < 1000) {
    fmt::format_to(std::back_inserter(out), "{}B", bytes);
    return;
  }
  std::size_t unit = 0;
  std::int64_t base = 1;
  while (unit + 1 < kUnits.size() && bytes / base >= 1000) {
    base *= 1000;
    ++unit;
  }
  fmt::format_to(std::back_inserter(out), "{:.2f}{}", static_cast<double>(bytes) / static_cast<double>(base),
                 kUnits[unit]);
}

void append_log_offset(std::string& out, std::int64_t offset_ns) {
  if (offset_ns < 0) offset_ns = 0;
  double seconds = static_cast<double>(offset_ns) / kNanosPerSecond;
  int precision = seconds < 10 ? 3 : seconds < 100 ? 2 : 1;
  fmt::format_to(std::back_inserter(out), "{:.{}f}", seconds, precision);
}

void append_seconds(std::string& out, std::int64_t duration_ns) {
  if (duration_ns < 0) duration_ns = 0;
  fmt::format_to(std::back_inserter(out), "{:.1f}", static_cast<double>(duration_ns) / kNanosPerSecond);
}

bool is_valid_utf8(std::string_view text) noexcept {
  for (std::size_t at = 0; at < text.size();) {
    std::size_t length = utf8_sequence_length(text, at);
    if (length == 0) return false;
    at += length;
  }
  return true;
}

std::string sanitize_for_terminal(std::string_view line) {
  line = after_carriage_return(line);
  std::string out;
  out.reserve(line.size());
  for (std::size_t i = 0; i < line.size();) {
    auto byte = static_cast<unsigned char>(line[i]);
    if (byte == 0x1B) {
      i = skip_escape(line, i);
      continue;
    }
    if (byte < 0x20 || byte == 0x7F) {
      out += ' ';
      ++i;
      continue;
    }
    std::size_t length = utf8_sequence_length(line, i);
    if (length == 0) {  // a stray byte would desynchronise the column count: show U+FFFD
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    out.append(line.substr(i, length));
    i += length;
  }
  return out;
}

std::size_t display_width(std::string_view text) noexcept {
  std::size_t columns = 0;
  for (char c : text) {
    if (!is_continuation(static_cast<unsigned char>(c))) ++columns;
  }
  return columns;
}

std::string_view clip_to_width(std::string_view text, std::size_t columns) noexcept {
  std::size_t used = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is_continuation(static_cast<unsigned char>(text[i]))) continue;
    if (used == columns) return text.substr(0, i);
    ++used;
  }
  return text;
}

}  // namespace dbuild::progress
