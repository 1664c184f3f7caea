// query.hpp: one-call helpers over Statement for the common shapes: run a write, read one value,
// visit each row. They prepare, bind (as Statement::bind_all), step and report like Statement.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include <dbuild/sdk/status.hpp>

#include "db/database.hpp"
#include "db/statement.hpp"

namespace dbuild::db {

/// Runs a statement that returns no rows; returns how many rows it changed.
template <class... Values>
[[nodiscard]] sdk::Result<std::int64_t> run(Database& database, std::string_view purpose, std::string_view sql,
                                            const Values&... values) {
  auto statement = database.prepare(purpose, sql);
  if (!statement) return statement.status();
  if (auto status = statement->bind_all(values...); !status) return status;
  return statement->run();
}

/// The first column of the first row as an integer; nullopt when there is no row.
template <class... Values>
[[nodiscard]] sdk::Result<std::optional<std::int64_t>> query_int64(Database& database, std::string_view purpose,
                                                                   std::string_view sql, const Values&... values) {
  auto statement = database.prepare(purpose, sql);
  if (!statement) return statement.status();
  if (auto status = statement->bind_all(values...); !status) return status;
  auto step = statement->step();
  if (!step) return step.status();
  if (*step == Statement::Step::Done) return std::optional<std::int64_t>();
  std::optional<std::int64_t> value = statement->column_int64(0);
  statement->reset();
  return value;
}

/// Calls `visit` for each row; a visit that returns an error stops and returns it.
template <class... Values>
[[nodiscard]] sdk::Status for_each_row(Database& database, std::string_view purpose, std::string_view sql,
                                       const std::function<sdk::Status(const Statement&)>& visit,
                                       const Values&... values) {
  auto statement = database.prepare(purpose, sql);
  if (!statement) return statement.status();
  if (auto status = statement->bind_all(values...); !status) return status;
  for (;;) {
    auto step = statement->step();
    if (!step) return step.status();
    if (*step == Statement::Step::Done) return sdk::Status::ok();
    if (auto status = visit(*statement); !status) {
      statement->reset();
      return status;
    }
  }
}

}  // namespace dbuild::db
