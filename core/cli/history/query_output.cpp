// query_output.cpp: table, CSV and JSON output of query results (see query_output.hpp).
#include "cli/history/query_output.hpp"

#include <charconv>
#include <set>

#include <nlohmann/json.hpp>

#include "cli/table.hpp"

namespace dbuild::cli::history_cli {
namespace {

using history::QueryValue;

std::string hex_of(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out = "x'";
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out + "'";
}

std::string real_text(double value) {
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string text(buffer, error == std::errc() ? end : buffer);
  if (text.find_first_of(".eEni") == std::string::npos) text += ".0";  // 3 -> 3.0; inf and nan stay
  return text;
}

// One line per row in a table: control characters written as escapes.
std::string one_line(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += "\\t";
    else
      out += c;
  }
  return out;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void write_csv_line(std::ostream& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) out << (i ? "," : "") << csv_field(fields[i]);
  out << "\r\n";
}

}  // namespace

std::string query_value_text(const QueryValue& value, const std::string& null_text) {
  switch (value.type) {
    case QueryValue::Type::Integer: return std::to_string(value.integer);
    case QueryValue::Type::Float: return real_text(value.real);
    case QueryValue::Type::Text: return value.text;
    case QueryValue::Type::Blob: return hex_of(value.text);
    case QueryValue::Type::Null: break;
  }
  return null_text;
}

void write_query_table(std::ostream& out, const history::QueryResult& result) {
  Table table(result.columns);
  for (const auto& row : result.rows) {
    std::vector<std::string> cells;
    for (const auto& value : row) cells.push_back(one_line(query_value_text(value, "NULL")));
    table.add_row(std::move(cells));
  }
  table.print(out);
}

void write_query_csv(std::ostream& out, const history::QueryResult& result) {
  write_csv_line(out, result.columns);
  for (const auto& row : result.rows) {
    std::vector<std::string> fields;
    for (const auto& value : row) fields.push_back(query_value_text(value, ""));
    write_csv_line(out, fields);
  }
}

void write_query_json(std::ostream& out, const history::QueryResult& result) {
  using json = nlohmann::ordered_json;
  std::vector<std::string> keys;
  std::set<std::string> used;
  for (const auto& column : result.columns) {
    std::string key = column;
    for (int n = 2; used.count(key); ++n) key = column + "_" + std::to_string(n);
    used.insert(key);
    keys.push_back(key);
  }
  json rows = json::array();
  for (const auto& row : result.rows) {
    json object = json::object();
    for (std::size_t i = 0; i < row.size() && i < keys.size(); ++i) {
      const auto& value = row[i];
      switch (value.type) {
        case QueryValue::Type::Integer: object[keys[i]] = value.integer; break;
        case QueryValue::Type::Float: object[keys[i]] = value.real; break;
        case QueryValue::Type::Text: object[keys[i]] = value.text; break;
        case QueryValue::Type::Blob: object[keys[i]] = hex_of(value.text); break;
        case QueryValue::Type::Null: object[keys[i]] = nullptr; break;
      }
    }
    rows.push_back(std::move(object));
  }
  out << rows.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

}  // namespace dbuild::cli::history_cli
