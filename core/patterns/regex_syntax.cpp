// regex_syntax.cpp: repeat counts and named character classes, as Go's regexp/syntax has them.
#include "patterns/regex_syntax.hpp"

#include <algorithm>
#include <array>

namespace dbuild::patterns {
namespace {

// Reads a repeat count as Go does: digits without a leading zero; -2 when absent, -1 when huge.
int read_count(std::string_view& text) {
  if (text.empty() || text[0] < '0' || text[0] > '9') return -2;
  if (text.size() >= 2 && text[0] == '0' && text[1] >= '0' && text[1] <= '9') return -2;
  long long value = 0;
  while (!text.empty() && text[0] >= '0' && text[0] <= '9') {
    if (value >= 100000000) value = -1;
    if (value >= 0) value = value * 10 + (text[0] - '0');
    text.remove_prefix(1);
  }
  return static_cast<int>(value);
}

}  // namespace

std::optional<RepeatSpec> read_repeat(std::string_view& text) {
  std::string_view rest = text.substr(1);
  RepeatSpec spec{};
  spec.min = read_count(rest);
  if (spec.min == -2 || rest.empty()) return std::nullopt;
  spec.max = spec.min;
  if (rest[0] == ',') {
    rest.remove_prefix(1);
    if (rest.empty()) return std::nullopt;
    if (rest[0] == '}') {
      spec.max = -1;
    } else {
      spec.max = read_count(rest);
      if (spec.max == -2) return std::nullopt;
      if (spec.max == -1) spec.min = -1;  // too big: the caller reports a bad repeat count
    }
  }
  if (rest.empty() || rest[0] != '}') return std::nullopt;
  text = rest.substr(1);
  return spec;
}

bool is_ascii_alnum(char32_t c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int hex_value(char32_t c) noexcept {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<int>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<int>(c - 'A' + 10);
  return -1;
}

Ranges complement(const Ranges& ranges) {
  Ranges sorted = ranges;
  std::sort(sorted.begin(), sorted.end());
  Ranges out;
  char32_t next = 0;
  for (const auto& [lo, hi] : sorted) {
    if (lo > next) out.emplace_back(next, lo - 1);
    if (hi >= next) next = hi + 1;
  }
  if (next <= kMaxRune) out.emplace_back(next, kMaxRune);
  return out;
}

// Go's Perl classes (\d \s \w) are ASCII-only.
std::optional<Ranges> perl_class(char letter) {
  switch (letter) {
    case 'd':
    case 'D': return Ranges{{'0', '9'}};
    case 's':
    case 'S': return Ranges{{'\t', '\n'}, {'\f', '\r'}, {' ', ' '}};
    case 'w':
    case 'W': return Ranges{{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
    default: return std::nullopt;
  }
}

std::optional<Ranges> posix_class(std::string_view name) {
  static const std::array<std::pair<std::string_view, Ranges>, 14> table{{
      {"alnum", {{'0', '9'}, {'A', 'Z'}, {'a', 'z'}}},
      {"alpha", {{'A', 'Z'}, {'a', 'z'}}},
      {"ascii", {{0, 0x7F}}},
      {"blank", {{'\t', '\t'}, {' ', ' '}}},
      {"cntrl", {{0, 0x1F}, {0x7F, 0x7F}}},
      {"digit", {{'0', '9'}}},
      {"graph", {{'!', '~'}}},
      {"lower", {{'a', 'z'}}},
      {"print", {{' ', '~'}}},
      {"punct", {{'!', '/'}, {':', '@'}, {'[', '`'}, {'{', '~'}}},
      {"space", {{'\t', '\r'}, {' ', ' '}}},
      {"upper", {{'A', 'Z'}}},
      {"word", {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}},
      {"xdigit", {{'0', '9'}, {'A', 'F'}, {'a', 'f'}}},
  }};
  const bool negated = !name.empty() && name[0] == '^';
  if (negated) name.remove_prefix(1);
  for (const auto& [known, ranges] : table) {
    if (known == name) return negated ? complement(ranges) : ranges;
  }
  return std::nullopt;
}

}  // namespace dbuild::patterns
