// strict_json.cpp: the typed readers of strict_json.hpp.
#include "oci/strict_json.hpp"

#include <algorithm>
#include <limits>

namespace dbuild::oci::strict_json {
namespace {

std::string field_name(const std::string& where, const char* name) { return where.empty() ? name : where + "." + name; }

[[noreturn]] void wrong_type(const std::string& where, const char* name, const char* expected) {
  throw Invalid(field_name(where, name) + ": expected " + expected);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// `count` digits at `at`, as a number no greater than `max`; -1 otherwise.
int number_at(std::string_view text, std::size_t at, std::size_t count, int max) {
  if (at + count > text.size()) return -1;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (!is_digit(text[i])) return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value <= max ? value : -1;
}

// YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
bool is_rfc3339(std::string_view text) {
  if (text.size() < 20 || number_at(text, 0, 4, 9999) < 0 || text[4] != '-' || number_at(text, 5, 2, 12) < 1 ||
      text[7] != '-' || number_at(text, 8, 2, 31) < 1 || text[10] != 'T' || number_at(text, 11, 2, 23) < 0 ||
      text[13] != ':' || number_at(text, 14, 2, 59) < 0 || text[16] != ':' || number_at(text, 17, 2, 59) < 0)
    return false;
  std::size_t at = 19;
  if (text[at] == '.') {
    std::size_t digits = ++at;
    while (at < text.size() && is_digit(text[at])) ++at;
    if (at == digits) return false;
  }
  auto zone = text.substr(at);
  if (zone == "Z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && number_at(zone, 1, 2, 23) >= 0 && zone[3] == ':' &&
         number_at(zone, 4, 2, 59) >= 0;
}

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '+' || c == '/';
}

// Go's base64.StdEncoding, which encoding/json uses for []byte: padded, line breaks ignored.
bool is_padded_base64(std::string_view text) {
  std::string compact;
  std::copy_if(text.begin(), text.end(), std::back_inserter(compact), [](char c) { return c != '\r' && c != '\n'; });
  if (compact.size() % 4 != 0) return false;
  auto data_end = compact.find('=');
  if (data_end == std::string::npos) data_end = compact.size();
  if (compact.size() - data_end > 2) return false;
  if (compact.find_first_not_of('=', data_end) != std::string::npos) return false;
  return std::all_of(compact.begin(), compact.begin() + static_cast<std::ptrdiff_t>(data_end), is_base64_char);
}

}  // namespace

json parse_object(std::string_view text, const std::string& what) {
  auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) throw Invalid(what + " is not valid JSON");
  if (!doc.is_object()) throw Invalid(what + " is not a JSON object");
  return doc;
}

const json* find(const json& object, const char* name) {
  auto found = object.find(name);
  if (found == object.end() || found->is_null()) return nullptr;
  return &*found;
}

std::string string_of(const json& object, const char* name, const std::string& where) {
  const json* value = find(object, name);
  if (value == nullptr) return {};
  if (!value->is_string()) wrong_type(where, name, "a string");
  return value->get<std::string>();
}

std::vector<std::string> strings_of(const json& object, const char* name, const std::string& where) {
  const json* value = find(object, name);
  if (value == nullptr) return {};
  if (!value->is_array()) wrong_type(where, name, "an array of strings");
  std::vector<std::string> out;
  for (const auto& item : *value) {
    if (!item.is_string()) wrong_type(where, name, "an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> string_map_of(const json& object, const char* name, const std::string& where) {
  const json* value = find(object, name);
  if (value == nullptr) return {};
  if (!value->is_object()) wrong_type(where, name, "an object of strings");
  std::map<std::string, std::string> out;
  for (const auto& [key, item] : value->items()) {
    if (!item.is_string()) wrong_type(where, name, "an object of strings");
    out[key] = item.get<std::string>();
  }
  return out;
}

std::vector<std::string> key_set_of(const json& object, const char* name, const std::string& where) {
  const json* value = find(object, name);
  if (value == nullptr) return {};
  if (!value->is_object()) wrong_type(where, name, "an object of objects");
  std::vector<std::string> keys;
  for (const auto& [key, item] : value->items()) {
    if (!item.is_object() && !item.is_null()) wrong_type(where, name, "an object of objects");
    keys.push_back(key);
  }
  return keys;
}

bool bool_of(const json& object, const char* name, const std::string& where) {
  const json* value = find(object, name);
  if (value == nullptr) return false;
  if (!value->is_boolean()) wrong_type(where, name, "true or false");
  return value->get<bool>();
}

std::int64_t int_of(const json& object, const char* name, const std::string& where) {
  const json* value = find(object, name);
  if (value == nullptr) return 0;
  if (value->is_number_unsigned() &&
      value->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    wrong_type(where, name, "an integer that fits 64 bits");
  if (!value->is_number_integer()) wrong_type(where, name, "an integer");
  return value->get<std::int64_t>();
}

std::string time_of(const json& object, const char* name, const std::string& where) {
  std::string text = string_of(object, name, where);
  if (find(object, name) != nullptr && !is_rfc3339(text)) wrong_type(where, name, "an RFC 3339 time");
  return text;
}

std::string base64_of(const json& object, const char* name, const std::string& where) {
  std::string text = string_of(object, name, where);
  if (!is_padded_base64(text)) wrong_type(where, name, "padded base64");
  return text;
}

const json& object_of(const json& object, const char* name, const std::string& where) {
  static const json kEmpty = json::object();
  const json* value = find(object, name);
  if (value == nullptr) return kEmpty;
  if (!value->is_object()) wrong_type(where, name, "an object");
  return *value;
}

}  // namespace dbuild::oci::strict_json
