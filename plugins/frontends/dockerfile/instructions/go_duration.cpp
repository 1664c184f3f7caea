// go_duration.cpp: time.ParseDuration, overflow rules included.
#include "instructions/go_duration.hpp"

#include <array>
#include <string>
#include <utility>

#include "parser/text.hpp"

namespace dbuild::dockerfile {
namespace {

constexpr std::uint64_t kLimit = std::uint64_t{1} << 63;

constexpr std::array<std::pair<std::string_view, std::uint64_t>, 8> kUnits = {{
    {"ns", 1},
    {"us", 1000},
    {"\xC2\xB5s", 1000},  // U+00B5 micro sign
    {"\xCE\xBCs", 1000},  // U+03BC Greek mu
    {"ms", 1000000},
    {"s", 1000000000},
    {"m", 60 * std::uint64_t{1000000000}},
    {"h", 3600 * std::uint64_t{1000000000}},
}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

struct Cursor {
  std::string_view rest;
  bool overflow = false;
};

// Leading decimal digits; overflow past 2^63 is an error for the integer part.
std::uint64_t leading_int(Cursor& cursor) {
  std::uint64_t x = 0;
  std::size_t i = 0;
  for (; i < cursor.rest.size() && is_digit(cursor.rest[i]); ++i) {
    if (x > kLimit / 10) cursor.overflow = true;
    x = x * 10 + static_cast<std::uint64_t>(cursor.rest[i] - '0');
    if (x > kLimit) cursor.overflow = true;
  }
  cursor.rest.remove_prefix(i);
  return x;
}

// Leading fraction digits as x / scale; digits past the precision are dropped, not an error.
std::pair<std::uint64_t, double> leading_fraction(Cursor& cursor) {
  std::uint64_t x = 0;
  double scale = 1;
  bool overflow = false;
  std::size_t i = 0;
  for (; i < cursor.rest.size() && is_digit(cursor.rest[i]); ++i) {
    if (overflow) continue;
    if (x > (kLimit - 1) / 10) {
      overflow = true;
      continue;
    }
    const std::uint64_t y = x * 10 + static_cast<std::uint64_t>(cursor.rest[i] - '0');
    if (y > kLimit) {
      overflow = true;
      continue;
    }
    x = y;
    scale *= 10;
  }
  cursor.rest.remove_prefix(i);
  return {x, scale};
}

}  // namespace

sdk::Result<std::int64_t> parse_go_duration(std::string_view text) {
  const std::string quoted = parser_text::quote(text);
  const auto invalid = [&] { return sdk::Status::invalid_argument("time: invalid duration " + quoted); };
  Cursor cursor{text};
  bool negative = false;
  if (!cursor.rest.empty() && (cursor.rest[0] == '-' || cursor.rest[0] == '+')) {
    negative = cursor.rest[0] == '-';
    cursor.rest.remove_prefix(1);
  }
  if (cursor.rest == "0") return std::int64_t{0};
  if (cursor.rest.empty()) return invalid();
  std::uint64_t total = 0;
  while (!cursor.rest.empty()) {
    if (!(cursor.rest[0] == '.' || is_digit(cursor.rest[0]))) return invalid();
    const std::size_t before = cursor.rest.size();
    const std::uint64_t whole = leading_int(cursor);
    if (cursor.overflow) return invalid();
    const bool pre = before != cursor.rest.size();
    std::pair<std::uint64_t, double> fraction{0, 1};
    bool post = false;
    if (!cursor.rest.empty() && cursor.rest[0] == '.') {
      cursor.rest.remove_prefix(1);
      const std::size_t start = cursor.rest.size();
      fraction = leading_fraction(cursor);
      post = start != cursor.rest.size();
    }
    if (!pre && !post) return invalid();
    std::size_t i = 0;
    while (i < cursor.rest.size() && cursor.rest[i] != '.' && !is_digit(cursor.rest[i])) ++i;
    const std::string_view unit_text = cursor.rest.substr(0, i);
    cursor.rest.remove_prefix(i);
    if (unit_text.empty()) return sdk::Status::invalid_argument("time: missing unit in duration " + quoted);
    std::uint64_t unit = 0;
    for (const auto& [name, nanoseconds] : kUnits)
      if (name == unit_text) unit = nanoseconds;
    if (unit == 0)
      return sdk::Status::invalid_argument("time: unknown unit " + parser_text::quote(unit_text) + " in duration " +
                                           quoted);
    if (whole > kLimit / unit) return invalid();
    std::uint64_t value = whole * unit;
    if (fraction.first > 0) {
      value += static_cast<std::uint64_t>(static_cast<double>(fraction.first) *
                                          (static_cast<double>(unit) / fraction.second));
      if (value > kLimit) return invalid();
    }
    total += value;
    if (total > kLimit) return invalid();
  }
  if (negative) return static_cast<std::int64_t>(0 - total);
  if (total > kLimit - 1) return invalid();
  return static_cast<std::int64_t>(total);
}

}  // namespace dbuild::dockerfile
