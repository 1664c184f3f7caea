// transaction.hpp: RAII transactions (rolled back unless committed) and run_in_transaction,
// which retries a unit of work when another connection holds the database.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include <dbuild/sdk/status.hpp>

namespace dbuild::db {

class Database;

/// A transaction on a Database. It holds the Database's mutex from begin() until commit(),
/// rollback() or destruction, so other threads wait rather than join it; it must end on the
/// thread that began it. Begun inside this thread's open transaction, it is a SAVEPOINT in it:
/// its rollback undoes only its own work, and its commit makes that part of the outer one (so
/// a store's method can run inside a caller's transaction, or alone).
class Transaction {
 public:
  enum class Kind : std::uint8_t {
    Immediate,  // takes the write lock at BEGIN: no deadlock between two would-be writers
    Deferred,   // read-only work, and read-only databases (which cannot take the write lock)
  };

  /// BEGIN IMMEDIATE (or DEFERRED), or SAVEPOINT when nested (`kind` then is the outer one's).
  /// Errors: unavailable (busy past the timeout), as Database.
  [[nodiscard]] static sdk::Result<Transaction> begin(Database& database, std::string purpose,
                                                      Kind kind = Kind::Immediate);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  /// Rolls back when neither commit() nor rollback() ran.
  ~Transaction();

  /// COMMIT. On failure the transaction is rolled back (by the destructor at the latest).
  [[nodiscard]] sdk::Status commit();
  /// ROLLBACK, reporting its error; the destructor does the same silently.
  sdk::Status rollback();

  [[nodiscard]] bool active() const noexcept { return active_; }

 private:
  Transaction(Database& database, std::string purpose, std::unique_lock<std::recursive_mutex> lock, bool nested);

  Database* database_;
  std::string purpose_;
  std::unique_lock<std::recursive_mutex> lock_;
  bool nested_ = false;
  bool active_ = true;
};

/// How run_in_transaction retries when the database is busy: exponential backoff with jitter,
/// on top of the 10 s busy_timeout SQLite already waits inside each call.
struct RetryPolicy {
  int attempts = 6;
  std::chrono::milliseconds first_delay{20};
  std::chrono::milliseconds max_delay{2000};
};

/// Runs `work` inside BEGIN IMMEDIATE ... COMMIT and retries the whole unit when the failure
/// came from contention (SQLITE_BUSY or SQLITE_LOCKED, in BEGIN, `work` or COMMIT). `work`
/// must therefore be safe to run again: no side effects it cannot repeat. Any other error from
/// `work` rolls back and is returned as is, with `purpose` as context. Called inside this
/// thread's open transaction, it runs `work` once in a savepoint and leaves retrying to the
/// outermost run_in_transaction.
[[nodiscard]] sdk::Status run_in_transaction(Database& database, std::string_view purpose,
                                             const std::function<sdk::Status()>& work, const RetryPolicy& policy = {});

}  // namespace dbuild::db
