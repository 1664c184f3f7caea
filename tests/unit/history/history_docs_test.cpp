// history_docs_test.cpp: share/doc/history.md stays true: each of its example queries runs
// through `history query`'s read-only connection on a sample history and returns rows, and its
// tables (and the man page's HISTORY VIEWS) name every column of the views.
#include <catch2/catch.hpp>

#include "db/database.hpp"
#include "db/statement.hpp"
#include "history/history_query.hpp"
#include "history_fixture.hpp"
#include "support/doc_examples.hpp"

namespace {

const std::filesystem::path kDoc = std::filesystem::path(DBUILD_TEST_SOURCE_DIR) / "share/doc/history.md";

std::string doc_text() {
  auto text = dbuild::test::text_of(kDoc);
  REQUIRE_FALSE(text.empty());
  return text;
}

std::vector<std::string> sql_examples(const std::string& doc) { return dbuild::test::fenced_blocks(doc, "sql"); }

std::vector<std::string> view_columns(const std::filesystem::path& file, const std::string& view) {
  auto database = dbuild::db::Database::open(file, dbuild::db::Mode::ReadOnly);
  REQUIRE(database);
  auto statement = (*database)->prepare("listing columns", "SELECT name FROM pragma_table_info(?1)");
  REQUIRE(statement);
  REQUIRE(statement->bind_text(1, view));
  std::vector<std::string> columns;
  while (true) {
    auto step = statement->step();
    REQUIRE(step);
    if (*step == dbuild::db::Statement::Step::Done) break;
    columns.push_back(statement->column_text(0));
  }
  return columns;
}

}  // namespace

TEST_CASE("history.md's example queries run on a sample history and return rows", "[history][docs]") {
  const auto examples = sql_examples(doc_text());
  REQUIRE(examples.size() >= 3);
  dbuild::test::HistoryFixture fixture;
  fixture.add_sample_builds();
  auto reader = dbuild::history::HistoryReader::open(fixture.root());
  REQUIRE(reader);
  for (const auto& sql : examples) {
    auto result = (*reader)->query(sql);
    INFO(sql << "\n" << result.status().to_string());
    REQUIRE(result);
    CHECK_FALSE(result->rows.empty());
  }
}

TEST_CASE("history.md's example for builds that produced a digest finds the build that did", "[history][docs]") {
  const auto examples = sql_examples(doc_text());
  const auto example = std::find_if(examples.begin(), examples.end(), [](const std::string& sql) {
    return sql.find("FROM outputs") != std::string::npos;
  });
  REQUIRE(example != examples.end());
  dbuild::test::HistoryFixture fixture;
  fixture.add_sample_builds();
  auto reader = dbuild::history::HistoryReader::open(fixture.root());
  REQUIRE(reader);
  auto result = (*reader)->query(*example);
  REQUIRE(result);
  REQUIRE(result->rows.size() == 1);
  CHECK(result->rows[0][0].text == "aaaaaaaaaaaaaaaaaaaaaaaa1");
}

TEST_CASE("history.md documents every column of the views builds, steps and outputs", "[history][docs]") {
  const auto doc = doc_text();
  dbuild::test::HistoryFixture fixture;
  for (const std::string view : {"builds", "steps", "outputs"}) {
    const auto start = doc.find("### `" + view + "`");
    REQUIRE(start != std::string::npos);
    const auto end = doc.find("\n#", start + 1);
    const auto section = doc.substr(start, end - start);
    const auto columns = view_columns(fixture.file(), view);
    REQUIRE_FALSE(columns.empty());
    for (const auto& column : columns) {
      INFO(view << "." << column);
      CHECK(section.find("| `" + column + "` |") != std::string::npos);
    }
  }
}

TEST_CASE("the man page's HISTORY VIEWS section names every column of the views", "[history][docs]") {
  const auto man = dbuild::test::text_of(std::filesystem::path(DBUILD_TEST_SOURCE_DIR) / "share/man/man1/dbuild.1");
  const auto start = man.find(".SH HISTORY VIEWS");
  REQUIRE(start != std::string::npos);
  dbuild::test::HistoryFixture fixture;
  for (const std::string view : {"builds", "steps", "outputs"}) {
    const auto at = man.find(".B " + view + "\n", start);
    REQUIRE(at != std::string::npos);
    const auto end = man.find("\n.", at + 3 + view.size() + 1);
    const auto entry = man.substr(at, end - at);
    for (const auto& column : view_columns(fixture.file(), view)) {
      INFO(view << "." << column);
      CHECK(entry.find("\\fB" + column + "\\fR") != std::string::npos);
    }
  }
}
