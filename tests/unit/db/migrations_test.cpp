// migrations_test.cpp: migrations run once each, in order, one transaction each; a newer
// database is refused; two processes migrating one new file apply each migration once.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <vector>

#include "db/database.hpp"
#include "db/migrations.hpp"
#include "db/statement.hpp"
#include "temp_dir.hpp"

namespace {

using dbuild::db::Database;
using dbuild::db::Migration;
using dbuild::db::Mode;
using dbuild::sdk::Code;

// Each migration logs itself, and CREATE TABLE without IF NOT EXISTS fails if run twice.
constexpr std::array<Migration, 3> kMigrations{{
    {1, "0001_log", "CREATE TABLE log (version INTEGER); INSERT INTO log VALUES (1);"},
    {2, "0002_first", "CREATE TABLE first (x); INSERT INTO log VALUES (2);"},
    {3, "0003_second", "CREATE TABLE second (x); INSERT INTO log VALUES (3);"},
}};

std::unique_ptr<Database> open_or_fail(const std::filesystem::path& path) {
  auto database = Database::open(path, Mode::ReadWrite);
  INFO(database.status().to_string());
  REQUIRE(database);
  return std::move(*database);
}

std::vector<std::int64_t> log_of(Database& database) {
  auto statement = database.prepare("reading the log", "SELECT version FROM log ORDER BY rowid");
  REQUIRE(statement);
  std::vector<std::int64_t> versions;
  for (;;) {
    auto step = statement->step();
    REQUIRE(step);
    if (*step == dbuild::db::Statement::Step::Done) break;
    versions.push_back(statement->column_int64(0));
  }
  return versions;
}

int version_of(Database& database) {
  auto version = database.user_version();
  REQUIRE(version);
  return *version;
}

}  // namespace

TEST_CASE("migrations are applied once each, in order, and migrating again changes nothing", "[db][migrations]") {
  dbuild::test::TempDir dir;
  auto database = open_or_fail(dir / "state.db");
  auto status = dbuild::db::migrate(*database, kMigrations);
  INFO(status.to_string());
  REQUIRE(status);
  CHECK(version_of(*database) == 3);
  CHECK(log_of(*database) == std::vector<std::int64_t>{1, 2, 3});

  REQUIRE(dbuild::db::migrate(*database, kMigrations));
  database = open_or_fail(dir / "state.db");
  REQUIRE(dbuild::db::migrate(*database, kMigrations));
  CHECK(log_of(*database) == std::vector<std::int64_t>{1, 2, 3});
}

TEST_CASE("a database migrated by an older binary gets only the newer migrations", "[db][migrations]") {
  dbuild::test::TempDir dir;
  auto database = open_or_fail(dir / "state.db");
  REQUIRE(dbuild::db::migrate(*database, std::span(kMigrations).first(1)));
  CHECK(version_of(*database) == 1);
  REQUIRE(dbuild::db::migrate(*database, kMigrations));
  CHECK(log_of(*database) == std::vector<std::int64_t>{1, 2, 3});
}

TEST_CASE("a failing migration rolls back alone and leaves the earlier ones applied", "[db][migrations]") {
  dbuild::test::TempDir dir;
  auto database = open_or_fail(dir / "state.db");
  const std::array<Migration, 2> broken{{
      kMigrations[0],
      {2, "0002_broken", "CREATE TABLE half (x); INSERT INTO nowhere VALUES (1);"},
  }};
  auto status = dbuild::db::migrate(*database, broken);
  REQUIRE_FALSE(status);
  CHECK_THAT(status.to_string(), Catch::Contains("applying migration 0002_broken") && Catch::Contains("nowhere"));
  CHECK(version_of(*database) == 1);
  CHECK_FALSE(database->prepare("probing", "SELECT * FROM half"));
}

TEST_CASE("a database written by a newer dbuild is refused with both schema numbers", "[db][migrations]") {
  dbuild::test::TempDir dir;
  auto database = open_or_fail(dir / "state.db");
  REQUIRE(dbuild::db::migrate(*database, kMigrations));
  auto status = dbuild::db::migrate(*database, std::span(kMigrations).first(2));
  REQUIRE_FALSE(status);
  CHECK(status.code() == Code::FailedPrecondition);
  CHECK_THAT(status.message(), Catch::Contains((dir / "state.db").string() +
                                               " was written by a newer dbuild (schema 3, this one knows 2)"));
  CHECK(version_of(*database) == 3);

  auto check = dbuild::db::check_schema(*database, std::span(kMigrations).first(2));
  CHECK(check.code() == Code::FailedPrecondition);
  CHECK_THAT(check.message(), Catch::Contains("schema 3, this one knows 2"));
}

TEST_CASE("check_schema tells an up-to-date database from one that needs migrating", "[db][migrations]") {
  dbuild::test::TempDir dir;
  auto database = open_or_fail(dir / "state.db");
  CHECK(dbuild::db::check_schema(*database, kMigrations).code() == Code::FailedPrecondition);
  REQUIRE(dbuild::db::migrate(*database, kMigrations));
  CHECK(dbuild::db::check_schema(*database, kMigrations));
}

TEST_CASE("migrations numbered with a gap are refused before anything is applied", "[db][migrations]") {
  dbuild::test::TempDir dir;
  auto database = open_or_fail(dir / "state.db");
  const std::array<Migration, 2> gap{{kMigrations[0], kMigrations[2]}};
  auto status = dbuild::db::migrate(*database, gap);
  CHECK(status.code() == Code::Internal);
  CHECK(version_of(*database) == 0);
}

TEST_CASE("processes migrating the same new file at once apply each migration once", "[db][migrations]") {
  dbuild::test::TempDir dir;
  const auto path = dir / "state.db";
  // Children are forked before anything is opened here: an SQLite connection must not cross a
  // fork, and a start pipe lines them up so that they really race.
  int start[2];
  REQUIRE(pipe(start) == 0);
  std::vector<pid_t> children;
  for (int i = 0; i < 4; ++i) {
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      close(start[1]);
      char byte;
      if (read(start[0], &byte, 1) != 0) _exit(3);  // waits for the parent to close its end
      auto database = Database::open(path, Mode::ReadWrite);
      if (!database) {
        fprintf(stderr, "child: %s\n", database.status().to_string().c_str());
        _exit(1);
      }
      _exit(dbuild::db::migrate(**database, kMigrations) ? 0 : 2);
    }
    children.push_back(child);
  }
  close(start[0]);
  close(start[1]);
  for (pid_t child : children) {
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  auto database = open_or_fail(path);
  CHECK(version_of(*database) == 3);
  CHECK(log_of(*database) == std::vector<std::int64_t>{1, 2, 3});
}

TEST_CASE("the embedded migrations are numbered 1..N and include the content schema", "[db][migrations]") {
  const auto migrations = dbuild::db::embedded_migrations();
  REQUIRE_FALSE(migrations.empty());
  for (std::size_t i = 0; i < migrations.size(); ++i) CHECK(migrations[i].version == static_cast<int>(i) + 1);
  CHECK(migrations[0].name == "0001_content");
  CHECK_THAT(std::string(migrations[0].sql), Catch::Contains("CREATE TABLE blobs"));

  dbuild::test::TempDir dir;
  auto database = open_or_fail(dir / "state.db");
  REQUIRE(dbuild::db::migrate(*database));
  CHECK(version_of(*database) == static_cast<int>(migrations.size()));
}
