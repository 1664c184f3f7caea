// history_query.cpp: the read-only query connection and its authorizer (see history_query.hpp).
// Four locks, each enough on its own for the writes it covers: SQLite's read-only open, PRAGMA
// query_only, the authorizer (which also refuses what those two let through: ATTACH, which
// VACUUM INTO uses, transactions, PRAGMAs, load_extension), and sqlite3_stmt_readonly.
#include "history/history_query.hpp"

#include <algorithm>
#include <array>
#include <span>

#include "db/database.hpp"
#include "db/migrations.hpp"
#include "db/statement.hpp"

namespace dbuild::history {
namespace {

namespace fs = std::filesystem;
namespace action = db::action;

constexpr std::array<std::string_view, 3> kViews = {"builds", "steps", "outputs"};

bool is_view(std::string_view name) { return std::find(kViews.begin(), kViews.end(), name) != kViews.end(); }

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string refuse_read(const db::AuthorizerRequest& request, const ViewReads& view_reads) {
  if (!request.database.empty() && request.database != "main")
    return "reading database " + quoted(request.database) + " is not allowed";
  if (is_view(request.arg1)) return "";
  // The tables behind a view are read with the view's name as the fourth argument, but SQLite
  // passes a CTE's name there too: a CTE named "builds" must not read what the view does not. So
  // only the very columns the view itself reads pass, learnt when the reader opened.
  if (request.arg1.starts_with("history_") && is_view(request.trigger_or_view) &&
      view_reads.contains({std::string(request.trigger_or_view), std::string(request.arg1), std::string(request.arg2)}))
    return "";
  // No column: SQLite asks about a table it only counts rows of. count(*) of a view asks this of
  // the table behind it, without naming the view, so a table's row count (never a value) is
  // readable; reading any of its columns is not.
  if (request.arg2.empty()) return "";
  return "reading " + quoted(request.arg1) +
         " is not allowed: query the views builds, steps and outputs (share/doc/history.md); the tables behind "
         "them may change between versions";
}

QueryValue value_of(const db::Statement& row, int column) {
  QueryValue value;
  switch (row.column_type(column)) {
    case db::Statement::Type::Integer: return QueryValue::of(row.column_int64(column));
    case db::Statement::Type::Float: return QueryValue::of(row.column_double(column));
    case db::Statement::Type::Text: return QueryValue::of(row.column_text(column));
    case db::Statement::Type::Blob: {
      const auto blob = row.column_blob(column);
      value.type = QueryValue::Type::Blob;
      value.text.assign(reinterpret_cast<const char*>(blob.data()), blob.size());
      return value;
    }
    case db::Statement::Type::Null: break;
  }
  return value;
}

sdk::Status bind(db::Statement& statement, int index, const QueryValue& value) {
  switch (value.type) {
    case QueryValue::Type::Integer: return statement.bind_int64(index, value.integer);
    case QueryValue::Type::Float: return statement.bind_double(index, value.real);
    case QueryValue::Type::Text: return statement.bind_text(index, value.text);
    case QueryValue::Type::Blob:
      return statement.bind_blob(index, std::as_bytes(std::span(value.text.data(), value.text.size())));
    case QueryValue::Type::Null: break;
  }
  return statement.bind_null(index);
}

}  // namespace

std::string query_refusal(const db::AuthorizerRequest& request, const ViewReads& view_reads) {
  switch (request.action) {
    case action::kSelect:
    case action::kRecursive: return "";
    case action::kRead: return refuse_read(request, view_reads);
    case action::kFunction:
      return request.arg2 == "load_extension" ? "loading extensions (load_extension) is not allowed" : "";
    case action::kInsert:
      return "INSERT into " + quoted(request.arg1) + " is not allowed: the history is read-only here";
    case action::kUpdate: return "UPDATE of " + quoted(request.arg1) + " is not allowed: the history is read-only here";
    case action::kDelete:
      return "DELETE from " + quoted(request.arg1) + " is not allowed: the history is read-only here";
    case action::kPragma: return "PRAGMA " + std::string(request.arg1) + " is not allowed";
    case action::kTransaction:
    case action::kSavepoint: return "transactions (" + std::string(request.arg1) + ") are not allowed";
    case action::kAttach: return "ATTACH (and VACUUM INTO, which attaches its file) is not allowed";
    case action::kDetach: return "DETACH is not allowed";
    default: return "changing the schema (CREATE, DROP, ALTER, ANALYZE, REINDEX) is not allowed";
  }
}

HistoryReader::HistoryReader(std::unique_ptr<db::Database> database) : database_(std::move(database)) {}
HistoryReader::~HistoryReader() = default;

sdk::Result<std::unique_ptr<HistoryReader>> HistoryReader::open(const fs::path& state_root) {
  const fs::path file = state_root / "history.db";
  auto database = db::Database::open(file, db::Mode::ReadOnly);
  if (!database) {
    if (database.status().code() == sdk::Code::NotFound)
      return sdk::Status::not_found("no builds recorded yet in " + state_root.string());
    return database.status().with_context("the build history " + file.string());
  }
  if (auto status = db::check_schema(**database, db::embedded_history_migrations()); !status)
    return status.with_context("the build history " + file.string());
  std::unique_ptr<HistoryReader> reader(new HistoryReader(std::move(*database)));
  // Learn which (view, table, column) each view reads, from SQLite itself, before any user SQL.
  reader->database_->set_authorizer([self = reader.get()](const db::AuthorizerRequest& request) {
    if (request.action == action::kRead && is_view(request.trigger_or_view) && !request.arg2.empty())
      self->view_reads_.insert(
          {std::string(request.trigger_or_view), std::string(request.arg1), std::string(request.arg2)});
    return db::AuthorizerResult::Allow;
  });
  for (const auto view : kViews) {
    auto statement = reader->database_->prepare("learning what a view reads", "SELECT * FROM " + std::string(view));
    if (!statement) return statement.status().with_context("the build history " + file.string());
  }
  // From here on every statement, ours too, goes through the authorizer.
  reader->database_->set_authorizer([self = reader.get()](const db::AuthorizerRequest& request) {
    if (self->actions_seen_++ == 0) self->starts_with_select_ = request.action == action::kSelect;
    auto why = query_refusal(request, self->view_reads_);
    if (why.empty()) return db::AuthorizerResult::Allow;
    if (self->refusal_.empty()) self->refusal_ = std::move(why);
    return db::AuthorizerResult::Deny;
  });
  return reader;
}

sdk::Result<QueryResult> HistoryReader::query(std::string_view sql, const std::vector<QueryValue>& parameters) {
  actions_seen_ = 0;
  starts_with_select_ = false;
  refusal_.clear();
  auto statement = database_->prepare_single("running the query", sql);
  if (!refusal_.empty()) return sdk::Status::permission_denied("refused: " + refusal_);
  if (!statement) return statement.status();
  // A statement that asked about nothing (VACUUM), or began with something other than SELECT, is
  // not a query; read_only() also catches the writes that pass the authorizer unasked.
  if (!starts_with_select_ || !statement->read_only())
    return sdk::Status::permission_denied("refused: only a SELECT (or WITH ... SELECT) can run here");
  for (std::size_t i = 0; i < parameters.size(); ++i)
    if (auto status = bind(*statement, static_cast<int>(i + 1), parameters[i]); !status) return status;
  QueryResult result;
  std::size_t bytes = 0;
  for (int column = 0; column < statement->column_count(); ++column)
    result.columns.push_back(statement->column_name(column));
  while (true) {
    auto step = statement->step();
    if (!step) return step.status();
    if (*step == db::Statement::Step::Done) break;
    if (result.rows.size() >= kMaxQueryRows || bytes > kMaxQueryBytes)
      return sdk::Status::failed_precondition("the query returned more than " + std::to_string(kMaxQueryRows) +
                                              " rows or " + std::to_string(kMaxQueryBytes >> 20) +
                                              " MiB: narrow it, or add a LIMIT");
    auto& row = result.rows.emplace_back();
    for (int column = 0; column < statement->column_count(); ++column) {
      row.push_back(value_of(*statement, column));
      bytes += row.back().text.size() + sizeof(QueryValue);
    }
  }
  return result;
}

}  // namespace dbuild::history
