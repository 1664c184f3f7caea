// transaction.cpp: BEGIN/COMMIT/ROLLBACK under the Database's mutex, and retries on contention.
#include "db/transaction.hpp"

#include <algorithm>
#include <random>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "db/database.hpp"

namespace dbuild::db {

using sdk::Status;

namespace {
// One name for every level: SQLite's savepoints form a stack, and RELEASE and ROLLBACK TO act
// on the innermost one of that name.
constexpr const char* kSavepoint = "dbuild_nested";
}  // namespace

Transaction::Transaction(Database& database, std::string purpose, std::unique_lock<std::recursive_mutex> lock,
                         bool nested)
    : database_(&database), purpose_(std::move(purpose)), lock_(std::move(lock)), nested_(nested) {}

Transaction::Transaction(Transaction&& other) noexcept
    : database_(other.database_),
      purpose_(std::move(other.purpose_)),
      lock_(std::move(other.lock_)),
      nested_(other.nested_),
      active_(std::exchange(other.active_, false)) {}

sdk::Result<Transaction> Transaction::begin(Database& database, std::string purpose, Kind kind) {
  std::unique_lock lock(database.mutex());
  const bool nested = database.in_transaction();
  const std::string sql = nested                    ? std::string("SAVEPOINT ") + kSavepoint
                          : kind == Kind::Immediate ? "BEGIN IMMEDIATE"
                                                    : "BEGIN DEFERRED";
  if (auto status = database.execute(purpose, sql); !status) return status;
  return Transaction(database, std::move(purpose), std::move(lock), nested);
}

Transaction::~Transaction() {
  if (active_) (void)rollback();
}

Status Transaction::commit() {
  if (!active_) return Status::failed_precondition("the transaction has already ended").with_context(purpose_);
  auto status = database_->execute(purpose_, nested_ ? std::string("RELEASE ") + kSavepoint : "COMMIT");
  if (!status) return status;  // still active: the destructor rolls back
  active_ = false;
  lock_.unlock();
  return Status::ok();
}

Status Transaction::rollback() {
  if (!active_) return Status::ok();
  active_ = false;
  // ROLLBACK fails when SQLite already rolled back by itself (after SQLITE_FULL, IOERR, ...);
  // the transaction is over either way.
  auto status = database_->execute(
      purpose_, nested_ ? fmt::format("ROLLBACK TO {0}; RELEASE {0}", kSavepoint) : std::string("ROLLBACK"));
  lock_.unlock();
  return status;
}

namespace {

std::chrono::milliseconds backoff(const RetryPolicy& policy, int attempt) {
  static thread_local std::minstd_rand random{std::random_device{}()};
  auto delay = policy.first_delay * (1 << std::min(attempt, 16));
  delay = std::min(delay, policy.max_delay);
  // Jitter: two processes that collided once should not collide again in lockstep.
  std::uniform_int_distribution<long> spread(delay.count() / 2, std::max<long>(delay.count(), 1));
  return std::chrono::milliseconds(spread(random));
}

}  // namespace

Status run_in_transaction(Database& database, std::string_view purpose, const std::function<Status()>& work,
                          const RetryPolicy& policy) {
  Status last;
  std::unique_lock outer_lock(database.mutex());
  // Nested: contention dooms the outer transaction, which is the one to retry.
  const int attempts = database.in_transaction() ? 1 : std::max(policy.attempts, 1);
  outer_lock.unlock();
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(backoff(policy, attempt - 1));
    // The lock spans the whole attempt so that busy_count() compares this thread's calls only.
    std::unique_lock lock(database.mutex());
    const auto busy_before = database.busy_count();
    last = [&]() -> Status {
      auto transaction = Transaction::begin(database, std::string(purpose));
      if (!transaction) return transaction.status();
      if (auto status = work(); !status) return status.with_context(std::string(purpose));
      return transaction->commit();
    }();
    if (last || database.busy_count() == busy_before) return last;
  }
  return last;
}

}  // namespace dbuild::db
