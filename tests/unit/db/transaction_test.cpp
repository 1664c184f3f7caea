// transaction_test.cpp: commit and rollback, retries on contention, and concurrent writers from
// several threads and from another process.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "db/database.hpp"
#include "db/statement.hpp"
#include "db/transaction.hpp"
#include "temp_dir.hpp"

namespace {

using dbuild::db::Database;
using dbuild::db::Mode;
using dbuild::db::Transaction;
using dbuild::sdk::Code;
using dbuild::sdk::Status;

std::unique_ptr<Database> open_table(const std::filesystem::path& path) {
  auto database = Database::open(path, Mode::ReadWrite);
  INFO(database.status().to_string());
  REQUIRE(database);
  REQUIRE((*database)->execute("creating the table", "CREATE TABLE IF NOT EXISTS t (writer TEXT, n INTEGER)"));
  return std::move(*database);
}

std::int64_t count_rows(Database& database, std::string_view where = "1") {
  auto statement = database.prepare("counting", "SELECT count(*) FROM t WHERE " + std::string(where));
  REQUIRE(statement);
  REQUIRE(statement->step());
  return statement->column_int64(0);
}

Status insert(Database& database, std::string_view writer, std::int64_t n) {
  auto statement = database.prepare("inserting", "INSERT INTO t VALUES (?, ?)");
  if (!statement) return statement.status();
  if (auto status = statement->bind_all(writer, n); !status) return status;
  auto changed = statement->run();
  return changed ? Status::ok() : changed.status();
}

// Writes `count` rows, one transaction each, as `writer`; reports the first failure.
Status write_rows(Database& database, std::string_view writer, int count) {
  for (int i = 0; i < count; ++i) {
    auto status =
        dbuild::db::run_in_transaction(database, "writing a row", [&] { return insert(database, writer, i); });
    if (!status) return status;
  }
  return Status::ok();
}

}  // namespace

TEST_CASE("a committed transaction keeps its writes", "[db][transaction]") {
  dbuild::test::TempDir dir;
  auto database = open_table(dir / "state.db");
  auto transaction = Transaction::begin(*database, "writing");
  REQUIRE(transaction);
  REQUIRE(insert(*database, "a", 1));
  REQUIRE(transaction->commit());
  CHECK_FALSE(transaction->active());
  CHECK(count_rows(*database) == 1);
}

TEST_CASE("a transaction that is not committed rolls back", "[db][transaction]") {
  dbuild::test::TempDir dir;
  auto database = open_table(dir / "state.db");
  SECTION("when it is destroyed") {
    {
      auto transaction = Transaction::begin(*database, "writing");
      REQUIRE(transaction);
      REQUIRE(insert(*database, "a", 1));
    }
    CHECK(count_rows(*database) == 0);
  }
  SECTION("when run_in_transaction's work fails, and the error is returned with its purpose") {
    int calls = 0;
    auto status = dbuild::db::run_in_transaction(*database, "recording things", [&]() -> Status {
      ++calls;
      if (auto inserted = insert(*database, "a", 1); !inserted) return inserted;
      return Status::invalid_argument("the second thing is wrong");
    });
    CHECK(status.to_string() == "recording things: the second thing is wrong");
    CHECK(calls == 1);  // not contention: no retry
    CHECK(count_rows(*database) == 0);
  }
  SECTION("when a statement inside fails") {
    auto status = dbuild::db::run_in_transaction(*database, "recording things", [&]() -> Status {
      if (auto inserted = insert(*database, "a", 1); !inserted) return inserted;
      return database->execute("inserting into a missing table", "INSERT INTO missing VALUES (1)");
    });
    CHECK(status.code() == Code::InvalidArgument);
    CHECK(count_rows(*database) == 0);
  }
}

TEST_CASE("a transaction begun inside another is a savepoint of it", "[db][transaction]") {
  dbuild::test::TempDir dir;
  auto database = open_table(dir / "state.db");
  auto outer = Transaction::begin(*database, "outer");
  REQUIRE(outer);
  REQUIRE(insert(*database, "outer", 1));
  SECTION("an inner rollback undoes only the inner part") {
    {
      auto inner = Transaction::begin(*database, "inner");
      REQUIRE(inner);
      REQUIRE(insert(*database, "inner", 2));
    }
    REQUIRE(outer->commit());
    CHECK(count_rows(*database, "writer = 'outer'") == 1);
    CHECK(count_rows(*database, "writer = 'inner'") == 0);
  }
  SECTION("an inner commit is undone by the outer rollback") {
    auto status = dbuild::db::run_in_transaction(*database, "inner", [&] { return insert(*database, "inner", 2); });
    REQUIRE(status);
    CHECK(database->in_transaction());  // still the outer one
    REQUIRE(outer->rollback());
    CHECK(count_rows(*database) == 0);
  }
  SECTION("an inner failure is not retried and leaves the outer usable") {
    int calls = 0;
    auto status = dbuild::db::run_in_transaction(*database, "inner", [&]() -> Status {
      ++calls;
      if (auto inserted = insert(*database, "inner", 2); !inserted) return inserted;
      return Status::invalid_argument("no");
    });
    CHECK_FALSE(status);
    CHECK(calls == 1);
    REQUIRE(outer->commit());
    CHECK(count_rows(*database) == 1);
  }
}

TEST_CASE("run_in_transaction retries when another connection holds the write lock", "[db][transaction]") {
  dbuild::test::TempDir dir;
  auto holder = open_table(dir / "state.db");
  auto database = open_table(dir / "state.db");
  database->set_busy_timeout(std::chrono::milliseconds(20));

  auto held = Transaction::begin(*holder, "holding the write lock");
  REQUIRE(held);
  std::atomic<int> attempts = 0;
  std::thread writer_thread;
  Status status;
  writer_thread = std::thread([&] {
    status = dbuild::db::run_in_transaction(
        *database, "writing while locked",
        [&] {
          ++attempts;
          return insert(*database, "b", 1);
        },
        {.attempts = 20, .first_delay = std::chrono::milliseconds(10), .max_delay = std::chrono::milliseconds(50)});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  REQUIRE(insert(*holder, "a", 1));
  REQUIRE(held->commit());
  writer_thread.join();
  INFO(status.to_string());
  CHECK(status);
  CHECK(attempts >= 1);
  CHECK(count_rows(*database) == 2);
}

TEST_CASE("contention past the retries is reported as unavailable", "[db][transaction]") {
  dbuild::test::TempDir dir;
  auto holder = open_table(dir / "state.db");
  auto database = open_table(dir / "state.db");
  database->set_busy_timeout(std::chrono::milliseconds(1));
  auto held = Transaction::begin(*holder, "holding the write lock");
  REQUIRE(held);
  auto status = dbuild::db::run_in_transaction(
      *database, "writing while locked", [&] { return insert(*database, "b", 1); },
      {.attempts = 3, .first_delay = std::chrono::milliseconds(1), .max_delay = std::chrono::milliseconds(2)});
  CHECK(status.code() == Code::Unavailable);
  CHECK_THAT(status.message(), Catch::Contains("locked"));
}

TEST_CASE("threads sharing one Database write concurrently without losing rows", "[db][transaction]") {
  dbuild::test::TempDir dir;
  auto database = open_table(dir / "state.db");
  std::vector<std::thread> threads;
  std::vector<Status> results(4);
  for (std::size_t t = 0; t < results.size(); ++t)
    threads.emplace_back([&, t] { results[t] = write_rows(*database, "thread" + std::to_string(t), 50); });
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) {
    INFO(result.to_string());
    CHECK(result);
  }
  CHECK(count_rows(*database) == 200);
}

TEST_CASE("two processes write to the same database at once and both succeed", "[db][transaction]") {
  dbuild::test::TempDir dir;
  const auto path = dir / "state.db";
  open_table(path).reset();  // create it, then close before fork: connections must not cross it
  int start[2];
  REQUIRE(pipe(start) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(start[1]);
    char byte;
    if (read(start[0], &byte, 1) != 0) _exit(3);
    auto database = Database::open(path, Mode::ReadWrite);
    if (!database) _exit(1);
    _exit(write_rows(**database, "child", 300) ? 0 : 2);
  }
  close(start[0]);
  auto database = open_table(path);
  close(start[1]);  // both start now
  auto status = write_rows(*database, "parent", 300);
  int child_status = 0;
  REQUIRE(waitpid(child, &child_status, 0) == child);
  INFO(status.to_string());
  CHECK(status);
  CHECK(WIFEXITED(child_status));
  CHECK(WEXITSTATUS(child_status) == 0);
  CHECK(count_rows(*database, "writer = 'parent'") == 300);
  CHECK(count_rows(*database, "writer = 'child'") == 300);
}
