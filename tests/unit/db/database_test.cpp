// database_test.cpp: opening, configuration, the clear error for a file that is not a database,
// statements, read-only mode and the authorizer hook.
#include <catch2/catch.hpp>

#include <fstream>

#include "db/database.hpp"
#include "db/statement.hpp"
#include "temp_dir.hpp"

namespace {

using dbuild::db::AuthorizerRequest;
using dbuild::db::AuthorizerResult;
using dbuild::db::Database;
using dbuild::db::Mode;
using dbuild::db::Statement;
using dbuild::sdk::Code;

std::unique_ptr<Database> open_or_fail(const std::filesystem::path& path, Mode mode = Mode::ReadWrite) {
  auto database = Database::open(path, mode);
  INFO(database.status().to_string());
  REQUIRE(database);
  return std::move(*database);
}

std::string query_text(Database& database, std::string_view sql) {
  auto statement = database.prepare("test query", sql);
  REQUIRE(statement);
  auto step = statement->step();
  REQUIRE(step);
  REQUIRE(*step == Statement::Step::Row);
  return statement->column_text(0);
}

void require_ok(const dbuild::sdk::Status& status) {
  INFO(status.to_string());
  REQUIRE(status);
}

}  // namespace

TEST_CASE("a new database is created in WAL mode with foreign keys on", "[db]") {
  dbuild::test::TempDir dir;
  auto database = open_or_fail(dir / "state.db");
  CHECK(std::filesystem::exists(dir / "state.db"));
  CHECK(query_text(*database, "PRAGMA journal_mode") == "wal");
  CHECK(query_text(*database, "PRAGMA foreign_keys") == "1");
  CHECK(query_text(*database, "PRAGMA synchronous") == "1");  // NORMAL
  auto version = database->user_version();
  REQUIRE(version);
  CHECK(*version == 0);
}

TEST_CASE("a file that is not a database gives an error naming it and how to move it aside", "[db]") {
  dbuild::test::TempDir dir;
  const auto path = dir / "dbuild.db";
  std::ofstream(path) << "this is a text file, certainly not SQLite, and long enough to have a header page\n";
  auto database = Database::open(path, Mode::ReadWrite);
  REQUIRE_FALSE(database);
  const auto status = database.status();
  CHECK(status.code() == Code::FailedPrecondition);
  CHECK_THAT(status.message(), Catch::Contains(path.string()) && Catch::Contains("not a dbuild database"));
  CHECK_THAT(status.hint(), Catch::Contains("mv " + path.string() + " " + path.string() + ".corrupt"));
}

TEST_CASE("a read-only open of a missing file is not_found and creates nothing", "[db]") {
  dbuild::test::TempDir dir;
  auto database = Database::open(dir / "missing.db", Mode::ReadOnly);
  REQUIRE_FALSE(database);
  CHECK(database.status().code() == Code::NotFound);
  CHECK_FALSE(std::filesystem::exists(dir / "missing.db"));
}

TEST_CASE("opening a database in a missing directory says so", "[db]") {
  dbuild::test::TempDir dir;
  auto database = Database::open(dir / "no" / "such" / "dir.db", Mode::ReadWrite);
  REQUIRE_FALSE(database);
  CHECK(database.status().code() == Code::NotFound);
  CHECK_THAT(database.status().message(), Catch::Contains("directory does not exist"));
}

TEST_CASE("statements bind by index and by name and read every column type", "[db]") {
  dbuild::test::TempDir dir;
  auto database = open_or_fail(dir / "state.db");
  require_ok(database->execute("creating the table", "CREATE TABLE t (i INTEGER, d REAL, s TEXT, b BLOB, n)"));
  auto insert = database->prepare("inserting a row", "INSERT INTO t VALUES (?1, ?2, :text, :blob, ?5)");
  REQUIRE(insert);
  const std::byte bytes[] = {std::byte{0}, std::byte{1}, std::byte{255}};
  require_ok(insert->bind_int64(1, -42));
  require_ok(insert->bind_double(2, 2.5));
  require_ok(insert->bind_text(":text", std::string_view("a\0b", 3)));
  require_ok(insert->bind_blob(":blob", bytes));
  require_ok(insert->bind_null(5));
  auto changed = insert->run();
  REQUIRE(changed);
  CHECK(*changed == 1);

  auto select = database->prepare("reading the row", "SELECT i, d, s, b, n FROM t");
  REQUIRE(select);
  auto step = select->step();
  REQUIRE(step);
  REQUIRE(*step == Statement::Step::Row);
  CHECK(select->column_count() == 5);
  CHECK(select->column_name(2) == "s");
  CHECK(select->column_int64(0) == -42);
  CHECK(select->column_double(1) == 2.5);
  CHECK(select->column_text(2) == std::string("a\0b", 3));
  CHECK(select->column_blob(3) == std::vector<std::byte>(std::begin(bytes), std::end(bytes)));
  CHECK(select->column_is_null(4));
  step = select->step();
  REQUIRE(step);
  CHECK(*step == Statement::Step::Done);
}

TEST_CASE("bind_all binds integers, text and null in order", "[db]") {
  dbuild::test::TempDir dir;
  auto database = open_or_fail(dir / "state.db");
  require_ok(database->execute("creating the table", "CREATE TABLE t (i INTEGER, s TEXT, n)"));
  auto insert = database->prepare("inserting a row", "INSERT INTO t VALUES (?, ?, ?)");
  REQUIRE(insert);
  require_ok(insert->bind_all(7, std::string("seven"), nullptr));
  REQUIRE(insert->run());
  CHECK(query_text(*database, "SELECT i || s || coalesce(n, '-') FROM t") == "7seven-");
}

TEST_CASE("errors name the statement's purpose and carry SQLite's message", "[db]") {
  dbuild::test::TempDir dir;
  auto database = open_or_fail(dir / "state.db");
  auto statement = database->prepare("counting widgets", "SELECT count(*) FROM widgets");
  REQUIRE_FALSE(statement);
  CHECK(statement.status().code() == Code::InvalidArgument);
  CHECK(statement.status().to_string() == "counting widgets: no such table: widgets");

  require_ok(database->execute("creating the table", "CREATE TABLE t (k TEXT PRIMARY KEY)"));
  auto insert = database->prepare("adding key", "INSERT INTO t VALUES ('a')");
  REQUIRE(insert);
  REQUIRE(insert->run());
  auto again = insert->run();
  REQUIRE_FALSE(again);
  CHECK(again.status().code() == Code::AlreadyExists);
  CHECK_THAT(again.status().to_string(), Catch::StartsWith("adding key: UNIQUE constraint failed"));

  auto named = database->prepare("binding", "SELECT :a");
  REQUIRE(named);
  CHECK(named->bind_int64(":b", 1).code() == Code::InvalidArgument);
}

TEST_CASE("a read-only connection refuses writes", "[db]") {
  dbuild::test::TempDir dir;
  {
    auto database = open_or_fail(dir / "state.db");
    require_ok(database->execute("creating the table", "CREATE TABLE t (x); INSERT INTO t VALUES (1)"));
  }
  auto reader = open_or_fail(dir / "state.db", Mode::ReadOnly);
  CHECK(query_text(*reader, "SELECT count(*) FROM t") == "1");
  auto status = reader->execute("writing", "INSERT INTO t VALUES (2)");
  CHECK_FALSE(status);
  CHECK(query_text(*reader, "SELECT count(*) FROM t") == "1");
}

TEST_CASE("an installed authorizer can refuse statements and can be removed", "[db]") {
  dbuild::test::TempDir dir;
  auto database = open_or_fail(dir / "state.db");
  require_ok(database->execute("creating the table", "CREATE TABLE t (x)"));
  std::vector<int> actions;
  constexpr int kSqliteInsert = 18;  // SQLITE_INSERT in sqlite3.h
  database->set_authorizer([&](const AuthorizerRequest& request) {
    actions.push_back(request.action);
    return request.action == kSqliteInsert ? AuthorizerResult::Deny : AuthorizerResult::Allow;
  });
  auto insert = database->prepare("inserting", "INSERT INTO t VALUES (1)");
  REQUIRE_FALSE(insert);
  CHECK(insert.status().code() == Code::PermissionDenied);
  CHECK(database->prepare("reading", "SELECT x FROM t"));
  CHECK_FALSE(actions.empty());

  database->set_authorizer({});
  CHECK(database->prepare("inserting", "INSERT INTO t VALUES (1)"));
}
