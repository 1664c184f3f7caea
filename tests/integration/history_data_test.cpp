// history_data_test.cpp: the history's data commands through the real binary after real builds:
// `history query` (its formats, share/doc/history.md's examples, and every write refused with
// history.db left as it was), `history stats`, `history export|import` between two state roots,
// the retention policy of config.json, and the --help and man page of these commands.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <set>
#include <thread>

#include "dockerfile_workspace.hpp"
#include "support/doc_examples.hpp"

namespace fs = std::filesystem;
using dbuild::test::ProcessResult;
using dbuild::test::read_file;
using dbuild::test::write_dockerfile;
using dbuild::test::write_file;
using nlohmann::json;

namespace {

const fs::path kSource = DBUILD_TEST_SOURCE_DIR;

// A workspace whose dbuild reads config.json from a directory of the test's own, so that the
// machine's own config file cannot change what is kept.
struct HistoryWorkspace {
  dbuild::test::Workspace workspace;
  fs::path config_dir = workspace.dir.path() / "config";

  HistoryWorkspace() { fs::create_directories(config_dir); }

  void configure(const std::string& text) const { write_file(config_dir / "config.json", text); }

  ProcessResult build(std::vector<std::string> args = {}) const {
    args.push_back(workspace.context.string());
    return dbuild::test::build_dockerfile(workspace, {args, "", {{"DBUILD_CONFIG", config_dir.string()}}});
  }

  /// Runs dbuild ARGS on `root` (the workspace's state root by default).
  ProcessResult dbuild(std::vector<std::string> args, const fs::path& root = {}) const {
    args.insert(args.begin(), {"--root", root.empty() ? workspace.root.string() : root.string()});
    return dbuild::test::run_dbuild(args, {{"DBUILD_CONFIG", config_dir.string()}});
  }

  /// `history query SQL --format json` on `root`, which must succeed.
  json query(const std::string& sql, const fs::path& root = {}) const {
    auto result = dbuild({"history", "query", "--format", "json", sql}, root);
    INFO(sql << "\n" << result.err);
    REQUIRE(result.exit_code == 0);
    return json::parse(result.out);
  }

  /// The refs of `history ls`, newest first.
  std::vector<std::string> refs(const fs::path& root = {}) const {
    auto listed = dbuild({"history", "ls", "--format", "json"}, root);
    INFO(listed.err);
    REQUIRE(listed.exit_code == 0);
    std::vector<std::string> refs;
    for (const auto& build : json::parse(listed.out)) refs.push_back(build["ref"].get<std::string>());
    return refs;
  }

  /// An ok build tagged app:dev, its cached rebuild, and a failed build.
  void ok_cached_failed() const {
    write_dockerfile(workspace.context, "FROM busybox\nCOPY a.txt /a.txt\nRUN echo built-it && cat /a.txt\n");
    REQUIRE(build({"-t", "app:dev"}).exit_code == 0);
    REQUIRE(build({"-t", "app:dev"}).exit_code == 0);
    write_dockerfile(workspace.context, "FROM busybox\nRUN echo about-to-fail && exit 7\n");
    REQUIRE(build().exit_code == 1);
  }
};

// history.db and its write-ahead log, byte for byte.
std::string database_bytes(const fs::path& root) {
  std::string bytes = read_file(root / "history.db");
  if (fs::exists(root / "history.db-wal")) bytes += read_file(root / "history.db-wal");
  return bytes;
}

std::vector<std::string> doc_examples() {
  auto examples = dbuild::test::fenced_blocks(read_file(kSource / "share/doc/history.md"), "sql");
  REQUIRE(examples.size() >= 3);
  return examples;
}

const std::string* example_with(const std::vector<std::string>& examples, const std::string& text) {
  for (const auto& example : examples)
    if (example.find(text) != std::string::npos) return &example;
  return nullptr;
}

void check_one_line_error(const ProcessResult& result, int exit_code) {
  INFO(result.out << result.err);
  CHECK(result.exit_code == exit_code);
  CHECK(result.err.starts_with("error: "));
  CHECK(result.err.find('\n') == result.err.size() - 1);
}

}  // namespace

TEST_CASE("history query prints the views as a table, CSV and JSON", "[integration][history][query]") {
  HistoryWorkspace bench;
  bench.ok_cached_failed();
  auto rows = bench.query("SELECT ref, status, total_steps FROM builds ORDER BY started");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0]["status"] == "completed");
  CHECK(rows[1]["status"] == "completed");
  CHECK(rows[2]["status"] == "failed");
  CHECK(rows[0]["total_steps"].is_number_integer());
  CHECK(rows[2]["ref"] == bench.refs().front());

  auto csv = bench.dbuild({"history", "query", "--format", "csv",
                           "SELECT status, count(*) AS n FROM builds "
                           "GROUP BY status ORDER BY status"});
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out == "status,n\r\ncompleted,2\r\nfailed,1\r\n");

  auto table = bench.dbuild({"history", "query", "SELECT status, error FROM builds ORDER BY started"});
  REQUIRE(table.exit_code == 0);
  const auto lines = dbuild::test::lines_of(table.out);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0].starts_with("status"));
  CHECK_THAT(lines[1], Catch::StartsWith("completed") && Catch::Contains("NULL"));
  CHECK_THAT(lines[3], Catch::StartsWith("failed") && Catch::Contains("exit code: 7"));

  auto failing = bench.query(
      "SELECT s.name, s.exit_code FROM steps s JOIN builds b ON b.ref = s.build "
      "WHERE s.state = 'failed'");
  REQUIRE(failing.size() == 1);
  CHECK(failing[0]["exit_code"] == 7);
  CHECK_THAT(failing[0]["name"].get<std::string>(), Catch::Contains("exit 7"));
}

TEST_CASE("history.md's example queries answer for real builds", "[integration][history][query][docs]") {
  HistoryWorkspace bench;
  bench.ok_cached_failed();
  const auto examples = doc_examples();
  for (const auto& sql : examples) (void)bench.query(sql);  // every one runs

  // Cache-hit ratio per day: today, three builds, and the cached rebuild's hits.
  const auto* per_day = example_with(examples, "cache_hit_percent");
  REQUIRE(per_day);
  auto days = bench.query(*per_day);
  REQUIRE(days.size() == 1);
  CHECK(days[0]["builds"] == 3);
  CHECK(days[0]["cache_hit_percent"].get<double>() > 0);
  CHECK(days[0]["cache_hit_percent"].get<double>() < 100);

  // The slowest steps over the last 50 builds: the steps that ran, the slowest first.
  const auto* slowest = example_with(examples, "LIMIT 50");
  REQUIRE(slowest);
  auto steps = bench.query(*slowest);
  REQUIRE_FALSE(steps.empty());
  for (std::size_t i = 1; i < steps.size(); ++i) CHECK(steps[i - 1]["seconds"] >= steps[i]["seconds"]);

  // The builds that produced a digest: the example's digest replaced by the first build's. The
  // rebuild's image has the same digest unless a second passed between the builds (the image's
  // creation time), so the expected builds come from `history inspect`.
  const auto* producers = example_with(examples, "FROM outputs");
  REQUIRE(producers);
  const auto refs = bench.refs();  // newest first: failed, cached, ok
  auto inspect = [&](const std::string& ref) {
    return json::parse(bench.dbuild({"history", "inspect", ref, "--format", "json"}).out);
  };
  const auto digest = inspect(refs[2])["outputs"].at(0)["digest"].get<std::string>();
  std::vector<std::string> expected;
  for (const auto& ref : refs) {
    const auto record = inspect(ref);
    for (const auto& output : record["outputs"])
      if (output["digest"] == digest) expected.push_back(ref);
  }
  std::string sql = *producers;
  const std::string example_digest = "sha256:9f86d08%";
  const auto at = sql.find(example_digest);
  REQUIRE(at != std::string::npos);
  sql.replace(at, example_digest.size(), digest);
  std::vector<std::string> found;
  for (const auto& row : bench.query(sql)) found.push_back(row["ref"].get<std::string>());
  CHECK(found == expected);
  CHECK(found.back() == refs[2]);
}

TEST_CASE("history query refuses every write through the binary and leaves history.db as it was",
          "[integration][history][query]") {
  HistoryWorkspace bench;
  write_dockerfile(bench.workspace.context, "FROM busybox\nRUN echo recorded\n");
  REQUIRE(bench.build({"-t", "app:dev"}).exit_code == 0);
  const auto attached = bench.workspace.dir.path() / "attached.db";
  const std::vector<std::string> writes = {
      "INSERT INTO builds (ref) VALUES ('x')",
      "INSERT INTO history_builds (ref, name, builder, node, driver, session, frontend, started, status) "
      "VALUES ('x', 'x', 'x', 'x', 'x', 'x', 'x', 0, 'completed')",
      "UPDATE history_builds SET status = 'failed'",
      "UPDATE builds SET status = 'failed'",
      "DELETE FROM history_steps",
      "DELETE FROM builds",
      "DROP TABLE history_builds",
      "DROP VIEW builds",
      "ATTACH DATABASE '" + attached.string() + "' AS other",
      "PRAGMA writable_schema = ON",
      "PRAGMA writable_schema = 1; DELETE FROM sqlite_master",
      "PRAGMA journal_mode = DELETE",
      "WITH doomed AS (SELECT ref FROM builds) DELETE FROM history_builds WHERE ref IN (SELECT ref FROM doomed)",
      "WITH x AS (SELECT 1) INSERT INTO history_outputs (build, type) SELECT 1, 'x' FROM x",
      "WITH x AS (SELECT 1) UPDATE history_steps SET state = 'done'",
      "VACUUM INTO '" + attached.string() + "'",
      "SELECT 1; DELETE FROM history_builds",
      "BEGIN IMMEDIATE",
      // Reads, not writes, but of columns no view shows, through CTEs named after the views.
      "with builds as (select session, dockerfile_text from history_builds) select * from builds",
      "with steps(x) as (select log from history_steps) select hex(x) from steps",
  };
  const auto before = database_bytes(bench.workspace.root);
  const auto rows_before = bench.query(
      "SELECT (SELECT count(*) FROM builds) AS b, (SELECT count(*) FROM steps) AS s, "
      "(SELECT count(*) FROM outputs) AS o");
  for (const auto& sql : writes) {
    auto refused = bench.dbuild({"history", "query", sql});
    INFO(sql);
    check_one_line_error(refused, 2);
  }
  CHECK(database_bytes(bench.workspace.root) == before);
  CHECK_FALSE(fs::exists(attached));
  CHECK(bench.query("SELECT (SELECT count(*) FROM builds) AS b, (SELECT count(*) FROM steps) AS s, "
                    "(SELECT count(*) FROM outputs) AS o") == rows_before);
  CHECK(bench.query("SELECT status FROM builds") == json::parse(R"([{"status": "completed"}])"));
}

TEST_CASE("history query's bad arguments exit 2, no history exits 1", "[integration][history][query]") {
  HistoryWorkspace bench;
  auto none = bench.dbuild({"history", "query", "SELECT 1"});
  check_one_line_error(none, 1);
  CHECK_THAT(none.err, Catch::Contains("no builds recorded yet"));
  CHECK_FALSE(fs::exists(bench.workspace.root / "history.db"));

  write_dockerfile(bench.workspace.context, "FROM busybox\nRUN echo recorded\n");
  REQUIRE(bench.build().exit_code == 0);
  check_one_line_error(bench.dbuild({"history", "query", "SELEKT 1"}), 2);
  check_one_line_error(bench.dbuild({"history", "query", "SELECT nothing FROM builds"}), 2);
  CHECK(bench.dbuild({"history", "query", "--format", "xml", "SELECT 1"}).exit_code == 2);
  CHECK(bench.dbuild({"history", "query"}).exit_code == 2);
  CHECK(bench.dbuild({"history", "query", "SELECT 1", "SELECT 2"}).exit_code == 2);
}

TEST_CASE("history stats counts statuses, durations, cache hits and the steps that miss the cache",
          "[integration][history][stats]") {
  HistoryWorkspace bench;
  auto empty = bench.dbuild({"history", "stats"});
  INFO(empty.err);
  REQUIRE(empty.exit_code == 0);
  CHECK_THAT(empty.out, Catch::Contains("Builds recorded: 0"));

  bench.ok_cached_failed();
  auto stats = bench.dbuild({"history", "stats", "--format", "json"});
  INFO(stats.err);
  REQUIRE(stats.exit_code == 0);
  const auto doc = json::parse(stats.out);
  CHECK(doc["builds"]["total"] == 3);
  CHECK(doc["builds"]["by_status"] == json::parse(R"({"completed": 2, "failed": 1})"));
  CHECK(doc["duration_seconds"]["completed_builds"] == 2);
  CHECK(doc["duration_seconds"]["median"].get<double>() > 0);
  CHECK(doc["duration_seconds"]["p95"].get<double>() >= doc["duration_seconds"]["median"].get<double>());
  // The rebuild took FROM, COPY and RUN from the cache, which the first build ran.
  CHECK(doc["cache"]["cached_steps"].get<int>() >= 3);
  CHECK(doc["cache"]["computed_steps"].get<int>() >= 3);
  const double ratio = doc["cache"]["hit_ratio"].get<double>();
  CHECK(ratio > 0);
  CHECK(ratio < 1);
  std::set<std::string> missed;
  for (const auto& step : doc["most_missed_steps"]) {
    CHECK(step["misses"].get<int>() <= step["runs"].get<int>());
    missed.insert(step["name"].get<std::string>());
  }
  CHECK(dbuild::test::any_contains(missed, "RUN echo built-it"));
  CHECK_FALSE(dbuild::test::any_contains(missed, "exporting to"));  // no cache lookup

  auto text = bench.dbuild({"history", "stats", "--since", "1h"});
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains(": 3 (2 completed, 1 failed)") && Catch::Contains("Cache hits: ") &&
                           Catch::Contains("Steps that miss the cache most often") &&
                           Catch::Contains("RUN echo built-it"));
  auto future = json::parse(bench.dbuild({"history", "stats", "--since", "0s", "--format", "json"}).out);
  CHECK(future["builds"]["total"] == 0);

  CHECK(bench.dbuild({"history", "stats", "--since", "soon"}).exit_code == 2);
  CHECK(bench.dbuild({"history", "stats", "--format", "yaml"}).exit_code == 2);
}

TEST_CASE("history export and import move builds between state roots, and importing twice adds nothing",
          "[integration][history][bundle]") {
  HistoryWorkspace bench;
  bench.ok_cached_failed();
  const auto source_refs = bench.refs();
  const auto bundle = bench.workspace.dir.path() / "builds.dbuild-history";
  auto exported = bench.dbuild({"history", "export", "^0", "^2", "-o", bundle.string()});
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  CHECK(exported.out == source_refs[0] + "\n" + source_refs[2] + "\n");

  const auto other = bench.workspace.dir.path() / "other-root";
  auto imported = bench.dbuild({"history", "import", bundle.string()}, other);
  INFO(imported.err);
  REQUIRE(imported.exit_code == 0);
  CHECK(imported.out == source_refs[0] + "\n" + source_refs[2] + "\n");
  CHECK(bench.refs(other) == std::vector<std::string>{source_refs[0], source_refs[2]});

  // What the commands show of an imported build is what they showed of the original.
  auto logs = bench.dbuild({"history", "logs", source_refs[0]}, other);
  CHECK_THAT(logs.out, Catch::Contains("about-to-fail"));
  auto inspect = bench.dbuild({"history", "inspect", source_refs[0]}, other);
  CHECK_THAT(inspect.out, Catch::Contains(">>> RUN echo about-to-fail && exit 7"));
  CHECK(bench.dbuild({"history", "search", "about-to-fail"}, other).exit_code == 0);
  const std::string steps_sql =
      "SELECT build, number, name, state, exit_code, cache_key, log_bytes FROM steps "
      "ORDER BY build, number";
  CHECK(bench.query(steps_sql, other) ==
        bench.query("SELECT build, number, name, state, exit_code, cache_key, log_bytes FROM steps WHERE build IN ('" +
                    source_refs[0] + "', '" + source_refs[2] + "') ORDER BY build, number"));
  CHECK(bench.query("SELECT build, type, digest, names FROM outputs", other) ==
        bench.query("SELECT build, type, digest, names FROM outputs WHERE build = '" + source_refs[2] + "'"));

  const auto before = database_bytes(other);
  auto again = bench.dbuild({"history", "import", bundle.string()}, other);
  REQUIRE(again.exit_code == 0);
  CHECK(again.out.empty());
  CHECK_THAT(again.err, Catch::Contains("skipped " + source_refs[0] + ": already in the history"));
  CHECK(bench.refs(other).size() == 2);
  CHECK(bench.query("SELECT count(*) AS n FROM steps", other) ==
        bench.query("SELECT count(*) AS n FROM steps WHERE build IN ('" + source_refs[0] + "', '" + source_refs[2] +
                    "')"));
  CHECK(database_bytes(other) == before);

  // --all takes every finished build.
  const auto everything = bench.workspace.dir.path() / "all.dbuild-history";
  REQUIRE(bench.dbuild({"history", "export", "--all", "-o", everything.string()}).exit_code == 0);
  auto rest = bench.dbuild({"history", "import", everything.string()}, other);
  REQUIRE(rest.exit_code == 0);
  CHECK(rest.out == source_refs[1] + "\n");
  CHECK(bench.refs(other) == source_refs);
}

TEST_CASE("history import refuses a truncated, corrupt or foreign file with one line, exit 1, and changes nothing",
          "[integration][history][bundle]") {
  HistoryWorkspace bench;
  bench.ok_cached_failed();
  const auto dir = bench.workspace.dir.path();
  const auto bundle = dir / "builds.dbuild-history";
  REQUIRE(bench.dbuild({"history", "export", "--all", "-o", bundle.string()}).exit_code == 0);
  const auto bytes = read_file(bundle);

  // The target already has a record of its own, so that "unchanged" is about a real file.
  const auto other = dir / "other-root";
  const auto one = dir / "one.dbuild-history";
  REQUIRE(bench.dbuild({"history", "export", "^1", "-o", one.string()}).exit_code == 0);
  REQUIRE(bench.dbuild({"history", "import", one.string()}, other).exit_code == 0);
  const auto before = database_bytes(other);

  std::vector<std::pair<std::string, std::string>> bad = {
      {"truncated.dbuild-history", bytes.substr(0, bytes.size() / 2)},
      {"cut-short.dbuild-history", bytes.substr(0, bytes.size() - 7)},
      {"corrupt.dbuild-history", bytes.substr(0, 40) + std::string(64, '\x5a') + bytes.substr(104)},
      {"empty.dbuild-history", ""},
      {"notes.txt", "these are not build records\n"},
  };
  for (const auto& [name, content] : bad) {
    write_file(dir / name, content);
    auto refused = bench.dbuild({"history", "import", (dir / name).string()}, other);
    INFO(name);
    check_one_line_error(refused, 1);
    CHECK_THAT(refused.err, Catch::Contains((dir / name).string()));
    CHECK(database_bytes(other) == before);
  }
  CHECK(bench.refs(other).size() == 1);
  // A bad file is refused before any history is opened: none is created.
  const auto fresh = dir / "fresh-root";
  check_one_line_error(bench.dbuild({"history", "import", (dir / "truncated.dbuild-history").string()}, fresh), 1);
  CHECK_FALSE(fs::exists(fresh / "history.db"));

  auto missing = bench.dbuild({"history", "import", (dir / "nowhere").string()}, other);
  check_one_line_error(missing, 1);
  CHECK(bench.dbuild({"history", "import"}, other).exit_code == 2);
  CHECK(bench.dbuild({"history", "import", "a", "b"}, other).exit_code == 2);
  CHECK(bench.dbuild({"history", "export", "^0"}).exit_code == 2);                        // no -o
  CHECK(bench.dbuild({"history", "export", "-o", (dir / "x").string()}).exit_code == 2);  // no REF
  CHECK(bench.dbuild({"history", "export", "--all", "^0", "-o", (dir / "x").string()}).exit_code == 2);
  check_one_line_error(bench.dbuild({"history", "export", "zzzzzzzz", "-o", (dir / "x").string()}), 1);
  CHECK_FALSE(fs::exists(dir / "x"));
  CHECK(database_bytes(other) == before);
}

TEST_CASE("history open of an imported record naming /etc/passwd or /dev/zero as its Dockerfile shows no snippet",
          "[integration][history][bundle]") {
  HistoryWorkspace bench;
  bench.ok_cached_failed();
  const auto dir = bench.workspace.dir.path();
  const auto bundle = dir / "failed.dbuild-history";
  REQUIRE(bench.dbuild({"history", "export", "^0", "-o", bundle.string()}).exit_code == 0);
  const auto unpacked = dir / "unpacked";
  fs::create_directories(unpacked);
  REQUIRE(dbuild::test::run_process({"tar", "--zstd", "-xf", bundle.string(), "-C", unpacked.string()}).exit_code == 0);
  const auto ref = bench.refs().front();
  const auto record_path = "builds/" + ref + "/build.json";
  const auto original = json::parse(read_file(unpacked / record_path));
  std::vector<std::string> members = {"dbuild-history.json", record_path};
  for (const auto& step : original["steps"])
    if (step.contains("log")) members.push_back(step["log"].get<std::string>());
  const auto passwd = read_file("/etc/passwd");
  const auto first_line = passwd.substr(0, passwd.find('\n'));
  REQUIRE(first_line.size() > 4);

  for (const std::string target : {"/etc/passwd", "/dev/zero"}) {
    INFO(target);
    auto record = original;
    record["dockerfile"] = target;
    record["dockerfile_text"] = "";
    record["dockerfile_digest"] = "";
    record["error_file"] = "Dockerfile";
    record["error_line"] = 1;
    write_file(unpacked / record_path, record.dump());
    const auto crafted = dir / "crafted.dbuild-history";
    std::vector<std::string> tar = {"tar", "--zstd", "-cf", crafted.string(), "-C", unpacked.string()};
    tar.insert(tar.end(), members.begin(), members.end());
    REQUIRE(dbuild::test::run_process(tar).exit_code == 0);
    const auto root = dir / ("root-" + fs::path(target).filename().string());
    auto imported = bench.dbuild({"history", "import", crafted.string()}, root);
    INFO(imported.err);
    REQUIRE(imported.exit_code == 0);
    const auto page = dir / "page.html";
    auto opened = bench.dbuild({"history", "open", ref, "-o", page.string()}, root);
    INFO(opened.err);
    REQUIRE(opened.exit_code == 0);
    const auto html = read_file(page);
    CHECK_THAT(html, Catch::Contains("\"ref\":\"" + ref + "\""));
    CHECK(html.find(first_line) == std::string::npos);
  }
}

TEST_CASE("config.json's history section keeps N records and drops old ones after each build",
          "[integration][history][retention]") {
  HistoryWorkspace bench;
  write_dockerfile(bench.workspace.context, "FROM busybox\nRUN echo kept\n");
  bench.configure(R"({"history": {"max-entries": 2}})");
  std::vector<std::string> made;
  for (int i = 0; i < 3; ++i) {
    auto built = bench.build();
    INFO(built.err);
    REQUIRE(built.exit_code == 0);
    made.insert(made.begin(), bench.refs().front());
  }
  CHECK(bench.refs() == std::vector<std::string>{made[0], made[1]});

  // max-age: a record older than it goes at the next build, whatever max-entries says.
  bench.configure(R"({"history": {"max-entries": 0, "max-age": "2s"}})");
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  REQUIRE(bench.build().exit_code == 0);
  const auto after_age = bench.refs();
  REQUIRE(after_age.size() == 1);
  CHECK(after_age[0] != made[0]);

  // No limits: nothing is removed.
  bench.configure(R"({"history": {"max-entries": 0, "max-age": "0s"}})");
  for (int i = 0; i < 2; ++i) REQUIRE(bench.build().exit_code == 0);
  CHECK(bench.refs().size() == 3);
}

TEST_CASE("a malformed history section in config.json fails the build with the file and the key",
          "[integration][history][retention]") {
  HistoryWorkspace bench;
  write_dockerfile(bench.workspace.context, "FROM busybox\nRUN echo never\n");
  const auto file = (bench.config_dir / "config.json").string();
  for (const auto& [text, key] :
       std::vector<std::pair<std::string, std::string>>{{R"({"history": {"max-entries": "many"}})", "max-entries"},
                                                        {R"({"history": {"max-age": "soon"}})", "max-age"},
                                                        {R"({"history": {"keep": 3}})", "keep"},
                                                        {"{not json", "not a JSON object"}}) {
    bench.configure(text);
    auto refused = bench.build();
    INFO(text << "\n" << refused.err);
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.err, Catch::Contains(file) && Catch::Contains(key));
  }
  CHECK_FALSE(fs::exists(bench.workspace.root / "history.db"));
}

TEST_CASE("history's --help and the man page describe query, stats, export and import", "[integration][history][docs]") {
  const auto man = read_file(kSource / "share/man/man1/dbuild.1");
  const std::vector<std::pair<std::string, std::vector<std::string>>> commands = {
      {"query", {"--format", "table, csv or json", "builds, steps and outputs"}},
      {"stats", {"--since", "--format"}},
      {"export", {"--output", "--all"}},
      {"import", {"FILE"}},
  };
  for (const auto& [name, words] : commands) {
    auto help = dbuild::test::run_dbuild({"history", name, "--help"});
    INFO(name << "\n" << help.out << help.err);
    CHECK(help.exit_code == 0);
    for (const auto& word : words) CHECK_THAT(help.out, Catch::Contains(word));
    CHECK_THAT(man, Catch::Contains(".B dbuild history " + name));
  }
  // `dbuild history --help` lists the sub-commands after ls's options (the group runs ls).
  auto group = dbuild::test::run_dbuild({"history", "--help"});
  const auto listed = group.out.substr(group.out.find("Commands:"));
  for (const auto& [name, words] : commands) CHECK_THAT(listed, Catch::Contains("  " + name + " "));
}
