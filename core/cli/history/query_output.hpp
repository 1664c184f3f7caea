// query_output.hpp: the rows of `dbuild history query` as an aligned table, CSV (RFC 4180) or a
// JSON array of objects, with each value shown as SQLite typed it.
#pragma once

#include <ostream>
#include <string>

#include "history/history_query.hpp"

namespace dbuild::cli::history_cli {

/// Table: column names as the query gave them, columns aligned as the list commands align them,
/// NULL as "NULL", line breaks and tabs in text as \n, \r and \t.
void write_query_table(std::ostream& out, const history::QueryResult& result);
/// CSV as RFC 4180 has it: a header line, CRLF line ends, fields holding a comma, a double quote,
/// CR or LF in double quotes (a double quote doubled); NULL is an empty field.
void write_query_csv(std::ostream& out, const history::QueryResult& result);
/// A JSON array with one object per row, keys in column order (a repeated column name gets "_2",
/// "_3", ...); integers and reals are numbers, NULL is null, a blob is the text "x'<hex>'".
void write_query_json(std::ostream& out, const history::QueryResult& result);

/// One value as table and CSV show it: integers in decimal, reals in their shortest exact form
/// (always with a "." or an exponent), blobs as x'<hex>', NULL as `null_text`.
[[nodiscard]] std::string query_value_text(const history::QueryValue& value, const std::string& null_text);

}  // namespace dbuild::cli::history_cli
