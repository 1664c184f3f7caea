// database.cpp: opening and configuring the connection, error mapping, the authorizer hook.
#include "db/database.hpp"

#include <sqlite3.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "db/statement.hpp"

namespace dbuild::db {
namespace {

namespace fs = std::filesystem;
using sdk::Code;
using sdk::Status;

// Long enough to ride out another process's normal write transaction (a GC batch, a commit).
constexpr int kBusyTimeoutMs = 10'000;

Code code_for(int extended) {
  switch (extended & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_NOMEM:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
    case SQLITE_SCHEMA: return Code::Unavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return Code::FailedPrecondition;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH: return Code::PermissionDenied;
    case SQLITE_INTERRUPT: return Code::Cancelled;
    case SQLITE_ERROR:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG: return Code::InvalidArgument;
    case SQLITE_CONSTRAINT:
      if (extended == SQLITE_CONSTRAINT_PRIMARYKEY || extended == SQLITE_CONSTRAINT_UNIQUE) return Code::AlreadyExists;
      return Code::FailedPrecondition;
    default: return Code::Internal;
  }
}

static_assert(action::kCreateIndex == SQLITE_CREATE_INDEX && action::kCreateTable == SQLITE_CREATE_TABLE &&
              action::kDelete == SQLITE_DELETE && action::kDropTable == SQLITE_DROP_TABLE &&
              action::kInsert == SQLITE_INSERT && action::kPragma == SQLITE_PRAGMA && action::kRead == SQLITE_READ &&
              action::kSelect == SQLITE_SELECT && action::kTransaction == SQLITE_TRANSACTION &&
              action::kUpdate == SQLITE_UPDATE && action::kAttach == SQLITE_ATTACH && action::kDetach == SQLITE_DETACH &&
              action::kFunction == SQLITE_FUNCTION && action::kSavepoint == SQLITE_SAVEPOINT &&
              action::kRecursive == SQLITE_RECURSIVE);

// True when `rest` holds no statement: only whitespace, semicolons and comments ("-- ..." to the
// end of the line, "/* ... */").
bool only_comments(std::string_view rest) {
  std::size_t at = 0;
  while (at < rest.size()) {
    const char c = rest[at];
    if (c == ';' || std::isspace(static_cast<unsigned char>(c))) {
      ++at;
    } else if (rest.substr(at, 2) == "--") {
      const auto end = rest.find('\n', at);
      at = end == std::string_view::npos ? rest.size() : end + 1;
    } else if (rest.substr(at, 2) == "/*") {
      const auto end = rest.find("*/", at + 2);
      at = end == std::string_view::npos ? rest.size() : end + 2;  // SQLite accepts an unclosed one
    } else {
      return false;
    }
  }
  return true;
}

bool is_corruption(int extended) { return (extended & 0xff) == SQLITE_CORRUPT || (extended & 0xff) == SQLITE_NOTADB; }

// The -wal file holds committed transactions not yet copied into the main file: it moves with
// the main file (under the name SQLite pairs with the new one) rather than being replayed into
// a fresh database. The -shm file is only an index and is rebuilt.
std::string move_aside_hint(const fs::path& path) {
  const std::string file = path.string();
  std::string command = fmt::format("mv {0} {0}.corrupt", file);
  std::error_code error;
  if (fs::exists(file + "-wal", error)) command += fmt::format(" && mv {0}-wal {0}.corrupt-wal", file);
  if (fs::exists(file + "-shm", error)) command += fmt::format(" && rm {0}-shm", file);
  return fmt::format(
      "move it aside and dbuild starts a new, empty database (images, cache records and history "
      "in it are lost): {}",
      command);
}

}  // namespace

Database::Database(fs::path path, Mode mode, sqlite3* handle) : path_(std::move(path)), mode_(mode), handle_(handle) {}

Database::~Database() {
  // close_v2: a Statement that outlives us by mistake keeps the connection alive instead of
  // making close fail and leak it.
  sqlite3_close_v2(handle_);
}

sdk::Result<std::unique_ptr<Database>> Database::open(const fs::path& path, Mode mode) {
  std::error_code error;
  if (mode == Mode::ReadOnly && !fs::exists(path, error))
    return Status::not_found(fmt::format("no database at {}", path.string()));
  const int flags = (mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_FULLMUTEX;
  sqlite3* handle = nullptr;
  const int code = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  // The Database owns the handle from here on, also when opening failed (SQLite allocates one
  // to carry the error message).
  std::unique_ptr<Database> database(new Database(path, mode, handle));
  if (handle == nullptr) return Status::unavailable("sqlite3_open_v2: out of memory");
  std::lock_guard lock(database->mutex_);
  sqlite3_extended_result_codes(handle, 1);
  if (code != SQLITE_OK) {
    const int system_error = sqlite3_system_errno(handle);
    if (system_error == EACCES || system_error == EPERM)
      return Status::permission_denied(
          fmt::format("cannot open database {}: {}", path.string(), std::strerror(system_error)));
    if (system_error == ENOENT)
      return Status::not_found(fmt::format("cannot open database {}: its directory does not exist", path.string()));
    return database->error(code, "opening database " + path.string());
  }
  if (auto status = database->configure(); !status) return status;
  return database;
}

Status Database::configure() {
  sqlite3_busy_timeout(handle_, kBusyTimeoutMs);
  // First of all, before any PRAGMA that writes: this is where "file is not a database" shows.
  if (auto status = check_readable(); !status) return status;
  if (mode_ == Mode::ReadOnly)
    return execute("configuring the connection", "PRAGMA foreign_keys=ON; PRAGMA query_only=ON;");
  if (auto status = enable_wal(); !status) return status;
  // synchronous=NORMAL in WAL mode loses at most the last commits on power loss, never integrity.
  return execute("configuring the connection", "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
}

// WAL: readers never block the writer, and a commit is one append plus fsync of the log. The
// mode is stored in the file, so only the first open of a new file converts it; but when
// several processes create the file at once, the conversion (a shared lock upgraded to an
// exclusive one) gets SQLITE_BUSY at once, without the busy handler, to avoid a deadlock. So
// retry here, for about as long as the busy timeout.
Status Database::enable_wal() {
  for (int attempt = 0;; ++attempt) {
    const auto busy_before = busy_count_;
    auto status = execute("switching the database to WAL mode", "PRAGMA journal_mode=WAL");
    if (status || busy_count_ == busy_before || attempt >= 500) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + attempt % 37));
  }
}

// Reading the schema version reads the header and the schema page: enough to tell a database
// from another file in constant time, where PRAGMA quick_check would read every page.
Status Database::check_readable() {
  auto statement = prepare("reading the schema version", "PRAGMA schema_version");
  if (!statement) return statement.status();
  auto step = statement->step();
  return step ? Status::ok() : step.status();
}

Status Database::execute(std::string_view purpose, std::string_view sql) {
  std::lock_guard lock(mutex_);
  const std::string script(sql);  // sqlite3_exec needs a NUL-terminated string
  const int code = sqlite3_exec(handle_, script.c_str(), nullptr, nullptr, nullptr);
  return code == SQLITE_OK ? Status::ok() : error(code, purpose);
}

sdk::Result<Statement> Database::prepare(std::string_view purpose, std::string_view sql) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* handle = nullptr;
  const int code = sqlite3_prepare_v2(handle_, sql.data(), static_cast<int>(sql.size()), &handle, nullptr);
  if (code != SQLITE_OK) {
    sqlite3_finalize(handle);
    return error(code, purpose);
  }
  if (handle == nullptr) return Status::invalid_argument("empty SQL statement").with_context(std::string(purpose));
  return Statement(*this, handle, std::string(purpose));
}

sdk::Result<Statement> Database::prepare_single(std::string_view purpose, std::string_view sql) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* handle = nullptr;
  const char* tail = nullptr;
  const int code = sqlite3_prepare_v2(handle_, sql.data(), static_cast<int>(sql.size()), &handle, &tail);
  if (code != SQLITE_OK) {
    sqlite3_finalize(handle);
    return error(code, purpose);
  }
  if (handle == nullptr) return Status::invalid_argument("no SQL statement").with_context(std::string(purpose));
  Statement statement(*this, handle, std::string(purpose));
  const auto used = static_cast<std::size_t>(tail - sql.data());
  if (!only_comments(sql.substr(used)))
    return Status::invalid_argument("several SQL statements: give one statement only").with_context(std::string(purpose));
  return statement;
}

sdk::Result<int> Database::user_version() {
  auto statement = prepare("reading the schema version", "PRAGMA user_version");
  if (!statement) return statement.status();
  auto step = statement->step();
  if (!step) return step.status();
  return static_cast<int>(statement->column_int64(0));
}

void Database::set_busy_timeout(std::chrono::milliseconds timeout) {
  std::lock_guard lock(mutex_);
  sqlite3_busy_timeout(handle_, static_cast<int>(timeout.count()));
}

void Database::set_authorizer(Authorizer authorizer) {
  std::lock_guard lock(mutex_);
  authorizer_ = std::move(authorizer);
  if (authorizer_)
    sqlite3_set_authorizer(handle_, &Database::authorize, this);
  else
    sqlite3_set_authorizer(handle_, nullptr, nullptr);
}

int Database::authorize(void* self, int action, const char* arg1, const char* arg2, const char* database,
                        const char* trigger_or_view) {
  auto view = [](const char* text) { return text ? std::string_view(text) : std::string_view(); };
  const AuthorizerRequest request{action, view(arg1), view(arg2), view(database), view(trigger_or_view)};
  try {
    switch (static_cast<Database*>(self)->authorizer_(request)) {
      case AuthorizerResult::Allow: return SQLITE_OK;
      case AuthorizerResult::Ignore: return SQLITE_IGNORE;
      case AuthorizerResult::Deny: return SQLITE_DENY;
    }
  } catch (...) {
    // An exception must not unwind through SQLite's C frames; refusing is the safe answer.
  }
  return SQLITE_DENY;
}

bool Database::in_transaction() {
  std::lock_guard lock(mutex_);
  return sqlite3_get_autocommit(handle_) == 0;
}

std::int64_t Database::last_insert_rowid() {
  std::lock_guard lock(mutex_);
  return sqlite3_last_insert_rowid(handle_);
}

Status Database::error(int code, std::string_view purpose) {
  const int primary = code & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) ++busy_count_;
  const std::string detail = handle_ ? sqlite3_errmsg(handle_) : sqlite3_errstr(code);
  const std::string file = path_.string();
  if (is_corruption(code)) {
    return Status::failed_precondition(
               fmt::format("{} is not a dbuild database, or is corrupt (sqlite: {})", file, detail))
        .with_context(std::string(purpose))
        .with_hint(move_aside_hint(path_));
  }
  std::string message = detail;
  switch (code_for(code)) {
    case Code::Unavailable:
    case Code::PermissionDenied: message = fmt::format("{}: {}", file, detail); break;
    default: break;
  }
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    message = fmt::format("{}: locked by another writer (sqlite: {})", file, detail);
  return Status(code_for(code), std::move(message)).with_context(std::string(purpose));
}

}  // namespace dbuild::db
