// csv_fields.cpp: a single-record reader with encoding/csv's strict quoting rules.
#include "instructions/csv_fields.hpp"

namespace dbuild::dockerfile {
namespace {

sdk::Status csv_error(std::size_t column, const std::string& why) {
  return sdk::Status::invalid_argument("parse error on line 1, column " + std::to_string(column) + ": " + why);
}

}  // namespace

sdk::Result<std::vector<std::string>> csv_fields(std::string_view record) {
  std::vector<std::string> fields;
  if (record.empty()) return fields;
  std::size_t i = 0;
  for (;;) {
    std::string field;
    if (i < record.size() && record[i] == '"') {
      ++i;
      for (;;) {
        const auto quote = record.find('"', i);
        if (quote == std::string_view::npos)
          return csv_error(record.size() + 1, "extraneous or missing \" in quoted-field");
        field += record.substr(i, quote - i);
        i = quote + 1;
        if (i < record.size() && record[i] == '"') {
          field.push_back('"');
          ++i;
          continue;
        }
        if (i == record.size() || record[i] == ',') break;
        return csv_error(i + 1, "extraneous or missing \" in quoted-field");
      }
    } else {
      const auto comma = record.find(',', i);
      const std::size_t end = comma == std::string_view::npos ? record.size() : comma;
      field = std::string(record.substr(i, end - i));
      if (const auto quote = field.find('"'); quote != std::string::npos)
        return csv_error(i + quote + 1, "bare \" in non-quoted-field");
      i = end;
    }
    fields.push_back(std::move(field));
    if (i >= record.size()) return fields;
    ++i;  // the comma; a trailing comma leaves one more, empty field
    if (i == record.size()) {
      fields.emplace_back();
      return fields;
    }
  }
}

}  // namespace dbuild::dockerfile
