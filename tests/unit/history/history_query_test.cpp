// history_query_test.cpp: `history query`'s read-only connection on a real history.db: reads of
// the documented views work (CTEs, window functions, parameters), and every kind of write is
// refused before it runs, leaving the file's bytes, its rows and the directory as they were.
#include <catch2/catch.hpp>

#include <filesystem>

#include "history/history_query.hpp"
#include "history_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using dbuild::history::HistoryReader;
using dbuild::history::QueryResult;
using dbuild::history::QueryValue;
using dbuild::sdk::Code;
using dbuild::test::HistoryFixture;

std::unique_ptr<HistoryReader> open_reader(const HistoryFixture& fixture) {
  auto reader = HistoryReader::open(fixture.root());
  INFO(reader.status().to_string());
  REQUIRE(reader);
  return std::move(*reader);
}

QueryResult query_or_fail(HistoryReader& reader, const std::string& sql,
                          const std::vector<QueryValue>& parameters = {}) {
  auto result = reader.query(sql, parameters);
  INFO(sql << "\n" << result.status().to_string());
  REQUIRE(result);
  return std::move(*result);
}

// Runs each statement and checks that it is refused (with `code`) and that nothing changed.
void require_refused(const std::vector<std::string>& statements, Code code = Code::PermissionDenied) {
  HistoryFixture fixture;
  fixture.add_sample_builds();
  const auto bytes = fixture.bytes();
  const auto rows = fixture.row_counts();
  const auto files = fixture.files();
  {
    auto reader = open_reader(fixture);
    for (const auto& sql : statements) {
      auto result = reader->query(sql);
      INFO(sql);
      REQUIRE_FALSE(result);
      INFO(result.status().to_string());
      CHECK(result.status().code() == code);
      CHECK_FALSE(result.status().message().empty());
    }
    // The connection still answers afterwards: no refusal left it in a transaction or half state.
    auto after = query_or_fail(*reader, "SELECT count(*) FROM builds");
    CHECK(after.rows.at(0).at(0).integer == 3);
  }
  CHECK(fixture.bytes() == bytes);
  CHECK(fixture.row_counts() == rows);
  CHECK(fixture.files() == files);
}

}  // namespace

TEST_CASE("history query reads the documented views, with their columns in order", "[history][query]") {
  HistoryFixture fixture;
  fixture.add_sample_builds();
  auto reader = open_reader(fixture);
  auto builds = query_or_fail(*reader, "SELECT ref, status, duration, total_steps FROM builds ORDER BY started");
  REQUIRE(builds.columns == std::vector<std::string>{"ref", "status", "duration", "total_steps"});
  REQUIRE(builds.rows.size() == 3);
  CHECK(builds.rows[0][0].text == "aaaaaaaaaaaaaaaaaaaaaaaa1");
  CHECK(builds.rows[2][1].text == "failed");
  CHECK(builds.rows[0][2].type == QueryValue::Type::Float);
  CHECK(builds.rows[0][2].real == Approx(30));
  CHECK(builds.rows[0][3].type == QueryValue::Type::Integer);
  CHECK(builds.rows[0][3].integer == 4);

  auto steps = query_or_fail(*reader, "SELECT build, number, state, exit_code FROM steps WHERE state = 'failed'");
  REQUIRE(steps.rows.size() == 1);
  CHECK(steps.rows[0][0].text == "cccccccccccccccccccccccc3");
  CHECK(steps.rows[0][3].integer == 2);
  auto outputs = query_or_fail(*reader, "SELECT build, type, digest, pushed, names FROM outputs ORDER BY build");
  REQUIRE(outputs.rows.size() == 2);
  CHECK(outputs.rows[0][1].text == "image");
  CHECK(outputs.rows[0][2].text.starts_with("sha256:9f86d08"));
}

TEST_CASE("history query allows joins, CTEs, recursive CTEs, window functions, JSON and parameters",
          "[history][query]") {
  HistoryFixture fixture;
  fixture.add_sample_builds();
  auto reader = open_reader(fixture);
  auto joined = query_or_fail(*reader,
                              "WITH slow AS (SELECT build, name, duration FROM steps WHERE duration > 1) "
                              "SELECT b.status, count(*) AS n FROM slow JOIN builds b ON b.ref = slow.build "
                              "GROUP BY b.status ORDER BY b.status");
  REQUIRE(joined.rows.size() == 2);
  CHECK(joined.columns[1] == "n");
  auto recursive = query_or_fail(
      *reader, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT sum(i) FROM n");
  CHECK(recursive.rows[0][0].integer == 15);
  auto ranked = query_or_fail(*reader, "SELECT ref, rank() OVER (ORDER BY duration DESC) FROM builds");
  CHECK(ranked.rows.size() == 3);
  auto args = query_or_fail(*reader, "SELECT json_extract(build_args, '$.VERSION') FROM builds LIMIT 1");
  CHECK(args.rows[0][0].text == "1");
  auto bound =
      query_or_fail(*reader, "SELECT count(*) FROM builds WHERE status = ?1", {QueryValue::of(std::string("failed"))});
  CHECK(bound.rows[0][0].integer == 1);
  auto counted = query_or_fail(*reader, "SELECT count(*) FROM steps");
  CHECK(counted.rows[0][0].integer == 12);
  auto values = query_or_fail(*reader, "SELECT NULL, x'00ff', 1.5, 'text'");
  CHECK(values.rows[0][0].type == QueryValue::Type::Null);
  CHECK(values.rows[0][1].type == QueryValue::Type::Blob);
  CHECK(values.rows[0][1].text == std::string("\0\xff", 2));
}

TEST_CASE("history query refuses INSERT, UPDATE and DELETE, on views and tables", "[history][query]") {
  require_refused({
      "INSERT INTO history_builds (ref, name, builder, node, driver, session, frontend, started, status) "
      "VALUES ('x', 'x', 'x', 'x', 'x', 'x', 'x', 0, 'completed')",
      "INSERT INTO builds (ref) VALUES ('x')",
      "UPDATE history_builds SET status = 'failed'",
      "DELETE FROM history_builds",
      "DELETE FROM history_steps WHERE 1",
      "REPLACE INTO history_outputs (build, type) VALUES (1, 'x')",
      "INSERT INTO history_log_search (history_log_search) VALUES ('delete-all')",
      "INSERT INTO history_builds SELECT * FROM history_builds RETURNING id",
  });
  // SQLite itself refuses to change a view while parsing, before the authorizer is asked: a SQL
  // error ("cannot modify builds because it is a view"), refused all the same.
  require_refused({"UPDATE builds SET status = 'failed'", "DELETE FROM builds"}, Code::InvalidArgument);
}

TEST_CASE("history query refuses a write hidden in a CTE", "[history][query]") {
  require_refused({
      "WITH doomed AS (SELECT ref FROM builds) DELETE FROM history_builds WHERE ref IN (SELECT ref FROM doomed)",
      "WITH x AS (SELECT 1) UPDATE history_steps SET state = 'done'",
      "WITH x AS (SELECT 1) INSERT INTO history_outputs (build, type) SELECT 1, 'x' FROM x",
  });
}

TEST_CASE("history query refuses schema changes: DROP, CREATE, ALTER, temporary objects", "[history][query]") {
  require_refused({
      "DROP TABLE history_builds",
      "DROP VIEW builds",
      "DROP INDEX history_builds_by_started",
      "CREATE TABLE x (y)",
      "CREATE TEMP TABLE x (y)",
      "CREATE TEMP VIEW v AS SELECT 1",
      "CREATE INDEX x ON history_builds (name)",
      "CREATE TRIGGER t AFTER INSERT ON history_builds BEGIN DELETE FROM history_steps; END",
      "CREATE VIRTUAL TABLE x USING fts5 (a)",
      "ALTER TABLE history_builds ADD COLUMN x",
      "ALTER TABLE history_builds RENAME TO gone",
      "ANALYZE",
      "REINDEX",
  });
}

TEST_CASE("history query refuses ATTACH and DETACH", "[history][query]") {
  HistoryFixture other;
  require_refused({
      "ATTACH DATABASE '" + (other.root() / "attached.db").string() + "' AS other",
      "ATTACH ':memory:' AS other",
      "DETACH DATABASE main",
  });
  CHECK_FALSE(fs::exists(other.root() / "attached.db"));
}

TEST_CASE("history query refuses PRAGMA, those that change state and those that read", "[history][query]") {
  require_refused({
      "PRAGMA writable_schema = ON",
      "PRAGMA writable_schema",
      "PRAGMA journal_mode = DELETE",
      "PRAGMA query_only = OFF",
      "PRAGMA user_version = 99",
      "PRAGMA schema_version = 1",
      "PRAGMA foreign_keys = OFF",
      "PRAGMA wal_checkpoint(TRUNCATE)",
      "PRAGMA integrity_check",
      "PRAGMA table_info(builds)",
      "SELECT * FROM pragma_table_info('builds')",
  });
}

TEST_CASE("history query refuses transactions and savepoints", "[history][query]") {
  require_refused({"BEGIN", "BEGIN IMMEDIATE", "BEGIN EXCLUSIVE", "COMMIT", "END", "ROLLBACK", "SAVEPOINT s",
                   "RELEASE s", "ROLLBACK TO s"});
}

TEST_CASE("history query refuses VACUUM and VACUUM INTO, and writes no file", "[history][query]") {
  HistoryFixture other;
  const auto target = other.root() / "copy.db";
  require_refused({"VACUUM", "VACUUM INTO '" + target.string() + "'", "VACUUM main INTO '" + target.string() + "'"});
  CHECK_FALSE(fs::exists(target));
}

TEST_CASE("history query refuses loading extensions", "[history][query]") {
  require_refused({"SELECT load_extension('/usr/lib/x86_64-linux-gnu/libsqlite3.so.0')",
                   "SELECT load_extension('libm.so.6', 'sin')"});
}

TEST_CASE("history query refuses the tables behind the views and SQLite's own", "[history][query]") {
  require_refused({"SELECT * FROM history_builds", "SELECT log FROM history_steps",
                   "SELECT key_inputs FROM history_steps", "SELECT * FROM sqlite_master",
                   "SELECT * FROM history_log_search WHERE history_log_search MATCH 'make'",
                   "SELECT b.ref FROM builds b JOIN history_steps s ON s.build = b.rowid"});
}

TEST_CASE("history query refuses a CTE named after a view that reads what the view does not", "[history][query]") {
  require_refused({"with builds as (select session, dockerfile_text from history_builds) select * from builds",
                   "with steps(x) as (select log from history_steps) select hex(x) from steps",
                   "with steps as (select key_inputs from history_steps) select * from steps",
                   "with outputs as (select * from history_log_search) select * from outputs",
                   "with builds as (select digest from history_steps) select * from builds"});
  // A CTE that reads through the views, or only what a view reads, still runs.
  HistoryFixture fixture;
  fixture.add_sample_builds();
  auto reader = open_reader(fixture);
  auto result =
      query_or_fail(*reader, "with builds as (select ref, status from history_builds) select count(*) from builds");
  CHECK(result.rows[0][0].integer == 3);
}

TEST_CASE("history query stops a query that returns too many rows instead of holding them all", "[history][query]") {
  HistoryFixture fixture;
  fixture.add_sample_builds();
  auto reader = open_reader(fixture);
  auto result = reader->query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT x FROM c");
  REQUIRE_FALSE(result);
  CHECK(result.status().code() == Code::FailedPrecondition);
  CHECK_THAT(result.status().message(), Catch::Contains("1000000 rows"));
}

TEST_CASE("history query refuses several statements in one string, the second one a write or not", "[history][query]") {
  require_refused({"SELECT 1; DELETE FROM history_builds", "SELECT 1; SELECT 2", "SELECT 1; garbage",
                   "SELECT 1 /* c */ ; -- a comment\n VACUUM"},
                  Code::InvalidArgument);
}

TEST_CASE("history query accepts one statement followed by semicolons and comments", "[history][query]") {
  HistoryFixture fixture;
  fixture.add_sample_builds();
  auto reader = open_reader(fixture);
  auto result = query_or_fail(*reader, "SELECT count(*) FROM builds; ; -- the count\n/* done */");
  CHECK(result.rows[0][0].integer == 3);
}

TEST_CASE("history query reports SQL errors as invalid arguments", "[history][query]") {
  HistoryFixture fixture;
  fixture.add_sample_builds();
  auto reader = open_reader(fixture);
  for (const char* sql : {"SELEKT 1", "SELECT nope FROM builds", "SELECT * FROM nowhere", "", "-- nothing"}) {
    auto result = reader->query(sql);
    INFO(sql);
    REQUIRE_FALSE(result);
    CHECK(result.status().code() == Code::InvalidArgument);
  }
}

TEST_CASE("history query needs a history: none recorded yet is not_found, naming the state root", "[history][query]") {
  dbuild::test::TempDir empty;
  auto reader = HistoryReader::open(empty.path());
  REQUIRE_FALSE(reader);
  CHECK(reader.status().code() == Code::NotFound);
  CHECK_FALSE(fs::exists(empty.path() / "history.db"));
}
