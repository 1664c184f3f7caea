// history_query.hpp: SQL a user wrote, over history.db (`dbuild history query`, and the numbers
// of `dbuild history stats`): a read-only connection whose authorizer lets one SELECT read the
// documented views (builds, steps, outputs; share/doc/history.md) and refuses everything else.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::db {
class Database;
struct AuthorizerRequest;
}  // namespace dbuild::db

namespace dbuild::history {

/// One value of a result row, typed as SQLite stored it.
struct QueryValue {
  enum class Type : std::uint8_t { Null, Integer, Float, Text, Blob };
  Type type = Type::Null;
  std::int64_t integer = 0;
  double real = 0;
  std::string text;  // Text, or a Blob's bytes

  static QueryValue of(std::int64_t value) { return {Type::Integer, value, 0, {}}; }
  static QueryValue of(double value) { return {Type::Float, 0, value, {}}; }
  static QueryValue of(std::string value) { return {Type::Text, 0, 0, std::move(value)}; }
};

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<QueryValue>> rows;
};

/// The (view, table, column) triples the views read from the tables behind them.
using ViewReads = std::set<std::tuple<std::string, std::string, std::string>>;

/// The most rows, and bytes of values, one query may return; past either it fails rather than
/// holding more in memory (a recursive CTE can produce rows without end).
inline constexpr std::size_t kMaxQueryRows = 1'000'000;
inline constexpr std::size_t kMaxQueryBytes = std::size_t{512} << 20;

/// Why the query authorizer refuses `request`, or "" when it allows it: it allows SELECT (with
/// CTEs, recursive ones too), functions other than load_extension, and reads of the views
/// builds, steps and outputs (and of the tables behind them, only the columns in `view_reads`,
/// and only through the view that reads them).
[[nodiscard]] std::string query_refusal(const db::AuthorizerRequest& request, const ViewReads& view_reads);

class HistoryReader {
 public:
  /// Opens `state_root`/history.db read-only (SQLite's read-only mode and PRAGMA query_only),
  /// checks its schema, and installs the query authorizer. Nothing is ever written, not even the
  /// marking of interrupted builds that other history commands do. Errors: not_found (no history
  /// yet), failed_precondition (damaged, or another schema version), unavailable.
  [[nodiscard]] static sdk::Result<std::unique_ptr<HistoryReader>> open(const std::filesystem::path& state_root);
  ~HistoryReader();
  HistoryReader(const HistoryReader&) = delete;
  HistoryReader& operator=(const HistoryReader&) = delete;

  /// Runs one SELECT with `parameters` bound to ?1, ?2, ... and returns all its rows: at most
  /// kMaxQueryRows rows and kMaxQueryBytes of values, else failed_precondition.
  /// Errors: permission_denied (the statement is not a read of the views: the message names what
  /// was refused), invalid_argument (not SQL, an unknown column, several statements, a runtime
  /// error of the query), unavailable.
  [[nodiscard]] sdk::Result<QueryResult> query(std::string_view sql, const std::vector<QueryValue>& parameters = {});

 private:
  explicit HistoryReader(std::unique_ptr<db::Database> database);

  std::unique_ptr<db::Database> database_;
  // What the authorizer saw while the current statement was prepared.
  int actions_seen_ = 0;
  bool starts_with_select_ = false;
  std::string refusal_;
  ViewReads view_reads_;  // learnt at open()
};

}  // namespace dbuild::history
