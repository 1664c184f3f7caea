// statement.cpp: binding, stepping and reading a prepared statement under the Database's mutex.
#include "db/statement.hpp"

#include <sqlite3.h>

#include <mutex>
#include <utility>

#include <fmt/format.h>

#include "db/database.hpp"

namespace dbuild::db {

using sdk::Status;

Statement::Statement(Database& database, sqlite3_stmt* handle, std::string purpose)
    : database_(&database), handle_(handle), purpose_(std::move(purpose)) {}

Statement::~Statement() { sqlite3_finalize(handle_); }

Statement::Statement(Statement&& other) noexcept
    : database_(other.database_), handle_(std::exchange(other.handle_, nullptr)), purpose_(std::move(other.purpose_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this == &other) return *this;
  sqlite3_finalize(handle_);
  database_ = other.database_;
  handle_ = std::exchange(other.handle_, nullptr);
  purpose_ = std::move(other.purpose_);
  return *this;
}

Status Statement::check_bind(int code, int index) {
  if (code == SQLITE_OK) return Status::ok();
  std::lock_guard lock(database_->mutex());
  return database_->error(code, fmt::format("{}: binding parameter {}", purpose_, index));
}

Status Statement::bind_int64(int index, std::int64_t value) {
  return check_bind(sqlite3_bind_int64(handle_, index, value), index);
}

Status Statement::bind_double(int index, double value) {
  return check_bind(sqlite3_bind_double(handle_, index, value), index);
}

Status Statement::bind_text(int index, std::string_view value) {
  return check_bind(sqlite3_bind_text64(handle_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
                    index);
}

Status Statement::bind_blob(int index, std::span<const std::byte> value) {
  // A zero-length blob is still a blob, not NULL: SQLite needs a non-null pointer for that.
  static const std::byte empty{};
  const void* data = value.empty() ? &empty : value.data();
  return check_bind(sqlite3_bind_blob64(handle_, index, data, value.size(), SQLITE_TRANSIENT), index);
}

Status Statement::bind_null(int index) { return check_bind(sqlite3_bind_null(handle_, index), index); }

sdk::Result<int> Statement::parameter_index(std::string_view name) {
  const int index = sqlite3_bind_parameter_index(handle_, std::string(name).c_str());
  if (index == 0) return Status::invalid_argument(fmt::format("no parameter named {}", name)).with_context(purpose_);
  return index;
}

Status Statement::bind_int64(std::string_view name, std::int64_t value) {
  auto index = parameter_index(name);
  return index ? bind_int64(*index, value) : index.status();
}

Status Statement::bind_double(std::string_view name, double value) {
  auto index = parameter_index(name);
  return index ? bind_double(*index, value) : index.status();
}

Status Statement::bind_text(std::string_view name, std::string_view value) {
  auto index = parameter_index(name);
  return index ? bind_text(*index, value) : index.status();
}

Status Statement::bind_blob(std::string_view name, std::span<const std::byte> value) {
  auto index = parameter_index(name);
  return index ? bind_blob(*index, value) : index.status();
}

Status Statement::bind_null(std::string_view name) {
  auto index = parameter_index(name);
  return index ? bind_null(*index) : index.status();
}

sdk::Result<Statement::Step> Statement::step() {
  std::lock_guard lock(database_->mutex());
  const int code = sqlite3_step(handle_);
  if (code == SQLITE_ROW) return Step::Row;
  // Resetting at once ends the statement's implicit read transaction, so an idle statement
  // never pins an old WAL snapshot.
  if (code == SQLITE_DONE) {
    sqlite3_reset(handle_);
    return Step::Done;
  }
  auto status = database_->error(code, purpose_);
  sqlite3_reset(handle_);
  return status;
}

sdk::Result<std::int64_t> Statement::run() {
  std::lock_guard lock(database_->mutex());
  for (;;) {
    auto step = this->step();
    if (!step) return step.status();
    if (*step == Step::Done) break;
  }
  return static_cast<std::int64_t>(sqlite3_changes64(database_->handle()));
}

void Statement::reset() {
  std::lock_guard lock(database_->mutex());
  sqlite3_reset(handle_);
  sqlite3_clear_bindings(handle_);
}

int Statement::column_count() const { return sqlite3_column_count(handle_); }

std::string Statement::column_name(int column) const {
  const char* name = sqlite3_column_name(handle_, column);
  return name ? name : "";
}

bool Statement::column_is_null(int column) const { return sqlite3_column_type(handle_, column) == SQLITE_NULL; }

Statement::Type Statement::column_type(int column) const {
  switch (sqlite3_column_type(handle_, column)) {
    case SQLITE_INTEGER: return Type::Integer;
    case SQLITE_FLOAT: return Type::Float;
    case SQLITE_TEXT: return Type::Text;
    case SQLITE_BLOB: return Type::Blob;
    default: return Type::Null;
  }
}

bool Statement::read_only() const { return sqlite3_stmt_readonly(handle_) != 0; }

std::int64_t Statement::column_int64(int column) const { return sqlite3_column_int64(handle_, column); }

double Statement::column_double(int column) const { return sqlite3_column_double(handle_, column); }

std::string Statement::column_text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(handle_, column));
  // column_bytes after column_text: the order SQLite documents for a correct length.
  const int size = sqlite3_column_bytes(handle_, column);
  return text ? std::string(text, static_cast<std::size_t>(size)) : std::string();
}

std::vector<std::byte> Statement::column_blob(int column) const {
  const auto* data = static_cast<const std::byte*>(sqlite3_column_blob(handle_, column));
  const int size = sqlite3_column_bytes(handle_, column);
  if (data == nullptr) return {};
  return std::vector<std::byte>(data, data + size);
}

}  // namespace dbuild::db
