// units.cpp: sizes, durations, ages and attribute lists.
#include "cli/units.hpp"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace dbuild::cli {

sdk::Result<std::int64_t> parse_size(std::string_view text) {
  std::size_t end = 0;
  while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.')) ++end;
  if (end == 0) return sdk::Status::invalid_argument("invalid size \"" + std::string(text) + "\"");
  double number = 0;
  try {
    number = std::stod(std::string(text.substr(0, end)));
  } catch (...) {
    return sdk::Status::invalid_argument("invalid size \"" + std::string(text) + "\"");
  }
  std::string unit(text.substr(end));
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  struct Unit {
    const char* name;
    double factor;
  };
  static constexpr Unit kUnits[] = {{"", 1},          {"b", 1},           {"k", 1e3},         {"kb", 1e3},
                                    {"m", 1e6},       {"mb", 1e6},        {"g", 1e9},         {"gb", 1e9},
                                    {"t", 1e12},      {"tb", 1e12},       {"kib", 1024.0},    {"mib", 1048576.0},
                                    {"gib", 1073741824.0}, {"tib", 1099511627776.0}};
  for (const auto& candidate : kUnits)
    if (unit == candidate.name) return static_cast<std::int64_t>(number * candidate.factor);
  return sdk::Status::invalid_argument("invalid size \"" + std::string(text) + "\": unknown unit \"" + unit + "\"");
}

std::string format_size(std::int64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1000 && unit < 5) {
    value /= 1000;
    ++unit;
  }
  char text[32];
  if (unit == 0) std::snprintf(text, sizeof text, "%lldB", static_cast<long long>(bytes));
  else std::snprintf(text, sizeof text, "%.3g%s", value, kUnits[unit]);
  return text;
}

sdk::Result<std::int64_t> parse_duration_seconds(std::string_view text) {
  auto invalid = [&] { return sdk::Status::invalid_argument("invalid duration \"" + std::string(text) + "\""); };
  if (text.empty()) return invalid();
  double total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (start == i) return invalid();
    // from_chars, not stod: "." or "1.2.3" is an invalid duration, not an exception or 1.2.
    double number = 0;
    const auto [end, error] = std::from_chars(text.data() + start, text.data() + i, number);
    if (error != std::errc() || end != text.data() + i) return invalid();
    std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    auto unit = text.substr(unit_start, i - unit_start);
    if (unit == "ns") total += number / 1e9;
    else if (unit == "us" || unit == "µs") total += number / 1e6;
    else if (unit == "ms") total += number / 1e3;
    else if (unit == "s") total += number;
    else if (unit == "m") total += number * 60;
    else if (unit == "h") total += number * 3600;
    else if (unit == "d") total += number * 86400;  // not Go, but what people type for prune
    else return invalid();
  }
  return static_cast<std::int64_t>(total);
}

std::string format_age(std::int64_t unix_seconds) {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto age = std::max<std::int64_t>(0, now - unix_seconds);
  auto plural = [](std::int64_t n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s") + " ago";
  };
  if (age < 60) return "Less than a minute ago";
  if (age < 3600) return plural(age / 60, "minute");
  if (age < 86400) return plural(age / 3600, "hour");
  return plural(age / 86400, "day");
}

sdk::Result<sdk::Attributes> parse_attributes(std::string_view text) {
  sdk::Attributes attributes;
  std::size_t i = 0;
  while (i <= text.size()) {
    std::string field;
    bool quoted = false;
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (c == '"') {
        quoted = !quoted;
        continue;
      }
      if (c == ',' && !quoted) break;
      field += c;
    }
    if (quoted) return sdk::Status::invalid_argument("unterminated quote in \"" + std::string(text) + "\"");
    ++i;
    if (field.empty()) continue;
    auto equals = field.find('=');
    if (equals == std::string::npos || equals == 0)
      return sdk::Status::invalid_argument("invalid field \"" + field + "\": expected key=value");
    attributes[field.substr(0, equals)] = field.substr(equals + 1);
  }
  return attributes;
}

}  // namespace dbuild::cli
