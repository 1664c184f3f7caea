// database.hpp: one SQLite connection to dbuild's state database (WAL, foreign keys on), shared
// safely by the engine's threads. Statements, transactions and migrations build on it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <dbuild/sdk/status.hpp>

struct sqlite3;

namespace dbuild::db {

class Statement;

enum class Mode : std::uint8_t {
  ReadWrite,  // creates the file when missing; WAL, synchronous=NORMAL, foreign keys on
  ReadOnly,   // for user queries: the file must exist, and every write is refused
};

/// SQLite's authorizer action codes (sqlite3.h's SQLITE_READ, ...), named here so that an
/// authorizer needs no sqlite3.h; database.cpp checks that they match.
namespace action {
inline constexpr int kCreateIndex = 1;
inline constexpr int kCreateTable = 2;
inline constexpr int kDelete = 9;
inline constexpr int kDropTable = 11;
inline constexpr int kInsert = 18;
inline constexpr int kPragma = 19;
inline constexpr int kRead = 20;
inline constexpr int kSelect = 21;
inline constexpr int kTransaction = 22;
inline constexpr int kUpdate = 23;
inline constexpr int kAttach = 24;
inline constexpr int kDetach = 25;
inline constexpr int kFunction = 31;
inline constexpr int kSavepoint = 32;
inline constexpr int kRecursive = 33;
}  // namespace action

/// What an authorizer callback decides for one action of a statement being prepared.
enum class AuthorizerResult : std::uint8_t { Allow, Deny, Ignore };

/// One action SQLite asks about while preparing a statement. `action` is SQLite's action code
/// (SQLITE_READ, SQLITE_INSERT, ... from sqlite3.h); the strings are SQLite's four arguments
/// (table, column, database, trigger or view name...), empty when SQLite passes none.
struct AuthorizerRequest {
  int action = 0;
  std::string_view arg1;
  std::string_view arg2;
  std::string_view database;
  std::string_view trigger_or_view;
};

using Authorizer = std::function<AuthorizerResult(const AuthorizerRequest&)>;

/// A connection to one database file.
///
/// Threads: a Database may be shared by threads. Every call takes the Database's mutex, and a
/// Transaction holds it from BEGIN to COMMIT/ROLLBACK, so no thread's statements ever land in
/// another thread's transaction. A statement stepped outside a transaction is atomic per step
/// only: read inside a Transaction when several rows must be consistent. Each Statement and
/// Transaction belongs to one thread at a time.
///
/// Processes: several processes may open the same file; SQLite's locks serialize writers and
/// `busy_timeout` (10 s) waits for them. `run_in_transaction` (transaction.hpp) also retries.
class Database {
 public:
  /// Opens (ReadWrite: creates) the database at `path` and checks that it is one.
  /// Errors: failed_precondition (not a database, or corrupt: the hint says how to move it
  /// aside), not_found (ReadOnly and no file), permission_denied, unavailable.
  [[nodiscard]] static sdk::Result<std::unique_ptr<Database>> open(const std::filesystem::path& path, Mode mode);

  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  [[nodiscard]] Mode mode() const noexcept { return mode_; }

  /// Runs a script of one or more statements that return no rows (DDL, PRAGMAs, migrations).
  /// `purpose` says what the script is for; it becomes the error's context.
  [[nodiscard]] sdk::Status execute(std::string_view purpose, std::string_view sql);

  /// Prepares one statement; text after it is ignored. Errors: invalid_argument (SQL error),
  /// permission_denied (refused by the authorizer).
  [[nodiscard]] sdk::Result<Statement> prepare(std::string_view purpose, std::string_view sql);

  /// As prepare(), for SQL a user typed: exactly one statement, which only whitespace, comments
  /// and semicolons may follow. Errors: as prepare(), and invalid_argument for a second statement
  /// or none at all.
  [[nodiscard]] sdk::Result<Statement> prepare_single(std::string_view purpose, std::string_view sql);

  /// PRAGMA user_version: the number of the last migration applied (0 for a new file).
  [[nodiscard]] sdk::Result<int> user_version();

  /// How long one call waits for another connection's lock before failing with unavailable
  /// (default 10 s). Interactive queries may want less; tests use it to provoke contention.
  void set_busy_timeout(std::chrono::milliseconds timeout);

  /// Installs `authorizer` (or removes it, when empty). It is consulted while statements are
  /// prepared, on the thread that prepares them; a Deny makes prepare() fail.
  void set_authorizer(Authorizer authorizer);

  /// True inside BEGIN ... COMMIT. With the mutex held (as inside a Transaction) the open
  /// transaction is this thread's, as long as transactions are begun only through Transaction.
  [[nodiscard]] bool in_transaction();

  /// The rowid of the last INSERT on this connection; read it inside the Transaction that did
  /// the INSERT, since another thread's INSERT changes it.
  [[nodiscard]] std::int64_t last_insert_rowid();

  /// The mutex every call takes. Transaction holds it; callers rarely need it directly.
  [[nodiscard]] std::recursive_mutex& mutex() noexcept { return mutex_; }

  /// The underlying handle, for this library's own files.
  [[nodiscard]] sqlite3* handle() noexcept { return handle_; }

  /// Turns SQLite result code `code` (with the connection's current message) into a Status
  /// whose context is `purpose`. Call with the mutex held, right after the failing call.
  [[nodiscard]] sdk::Status error(int code, std::string_view purpose);

  /// How many calls returned SQLITE_BUSY or SQLITE_LOCKED so far: run_in_transaction compares
  /// it before and after an attempt to tell contention from other failures.
  [[nodiscard]] std::uint64_t busy_count() const noexcept { return busy_count_; }

 private:
  Database(std::filesystem::path path, Mode mode, sqlite3* handle);
  [[nodiscard]] sdk::Status configure();
  [[nodiscard]] sdk::Status check_readable();
  [[nodiscard]] sdk::Status enable_wal();

  static int authorize(void* self, int action, const char* arg1, const char* arg2, const char* database,
                       const char* trigger_or_view);

  std::filesystem::path path_;
  Mode mode_;
  sqlite3* handle_ = nullptr;
  std::recursive_mutex mutex_;
  Authorizer authorizer_;
  std::uint64_t busy_count_ = 0;
};

}  // namespace dbuild::db
