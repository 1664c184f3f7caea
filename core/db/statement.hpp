// statement.hpp: a prepared SQLite statement (RAII, move-only): bind, step, read columns.
// Errors name the statement's purpose and carry SQLite's message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <dbuild/sdk/status.hpp>

struct sqlite3_stmt;

namespace dbuild::db {

class Database;

/// Made by Database::prepare. Parameters are 1-based (`?1`, or the index of `:name`); columns
/// are 0-based. The Database must outlive its statements. One thread at a time.
class Statement {
 public:
  enum class Step : std::uint8_t { Row, Done };
  /// A column's storage class in the current row.
  enum class Type : std::uint8_t { Integer, Float, Text, Blob, Null };

  Statement(Database& database, sqlite3_stmt* handle, std::string purpose);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  [[nodiscard]] sdk::Status bind_int64(int index, std::int64_t value);
  [[nodiscard]] sdk::Status bind_double(int index, double value);
  [[nodiscard]] sdk::Status bind_text(int index, std::string_view value);
  [[nodiscard]] sdk::Status bind_blob(int index, std::span<const std::byte> value);
  [[nodiscard]] sdk::Status bind_null(int index);

  /// By name, with its prefix: ":digest". Errors: invalid_argument (no such parameter).
  [[nodiscard]] sdk::Status bind_int64(std::string_view name, std::int64_t value);
  [[nodiscard]] sdk::Status bind_double(std::string_view name, double value);
  [[nodiscard]] sdk::Status bind_text(std::string_view name, std::string_view value);
  [[nodiscard]] sdk::Status bind_blob(std::string_view name, std::span<const std::byte> value);
  [[nodiscard]] sdk::Status bind_null(std::string_view name);

  /// Binds `values` to parameters 1, 2, ...: integers, floating point, strings (anything that
  /// converts to string_view), nullptr for NULL.
  template <class... Values>
  [[nodiscard]] sdk::Status bind_all(const Values&... values) {
    sdk::Status status;
    [[maybe_unused]] int index = 0;
    ((status = status ? bind_value(++index, values) : status), ...);
    return status;
  }

  /// Advances to the next row. After Done or an error the statement is reset, ready to run
  /// again with the same bindings.
  [[nodiscard]] sdk::Result<Step> step();

  /// Steps until Done (for INSERT/UPDATE/DELETE) and returns how many rows it changed.
  [[nodiscard]] sdk::Result<std::int64_t> run();

  /// Resets the statement and clears its bindings, to run it again.
  void reset();

  [[nodiscard]] int column_count() const;
  [[nodiscard]] std::string column_name(int column) const;
  [[nodiscard]] bool column_is_null(int column) const;
  [[nodiscard]] Type column_type(int column) const;
  [[nodiscard]] std::int64_t column_int64(int column) const;
  [[nodiscard]] double column_double(int column) const;
  [[nodiscard]] std::string column_text(int column) const;
  [[nodiscard]] std::vector<std::byte> column_blob(int column) const;

  /// True when running the statement writes nothing to the database file (sqlite3_stmt_readonly:
  /// SELECT, and also BEGIN, ATTACH and the like, which an authorizer must refuse itself).
  [[nodiscard]] bool read_only() const;

  [[nodiscard]] const std::string& purpose() const noexcept { return purpose_; }

 private:
  template <class T>
  sdk::Status bind_value(int index, const T& value) {
    if constexpr (std::is_same_v<T, std::nullptr_t>)
      return bind_null(index);
    else if constexpr (std::is_integral_v<T>)
      return bind_int64(index, static_cast<std::int64_t>(value));
    else if constexpr (std::is_floating_point_v<T>)
      return bind_double(index, static_cast<double>(value));
    else
      return bind_text(index, std::string_view(value));
  }
  [[nodiscard]] sdk::Result<int> parameter_index(std::string_view name);
  [[nodiscard]] sdk::Status check_bind(int code, int index);

  Database* database_ = nullptr;
  sqlite3_stmt* handle_ = nullptr;
  std::string purpose_;
};

}  // namespace dbuild::db
