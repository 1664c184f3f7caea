// history_fixture.cpp: filling and reading a test history.db (see history_fixture.hpp).
#include "history_fixture.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <sstream>

#include "db/database.hpp"
#include "db/query.hpp"

namespace dbuild::test {

namespace fs = std::filesystem;

std::int64_t now_ns_for_test() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

HistoryFixture::HistoryFixture() {
  auto store = history::HistoryStore::open(root());
  INFO(store.status().to_string());
  REQUIRE(store);
}

void HistoryFixture::add(const BuildSpec& spec) {
  auto store = history::HistoryStore::open(root());
  REQUIRE(store);
  history::BuildRecord build;
  build.ref = spec.ref;
  build.name = "app";
  build.session = "test";
  build.frontend = "dockerfile";
  build.dockerfile = "/src/app/Dockerfile";
  build.dockerfile_text = "FROM busybox\nCOPY . /src\nRUN make\n";
  build.build_args = {{"VERSION", "1"}};
  build.started = spec.started_ns;
  REQUIRE((*store)->begin(build));
  build.status = spec.status;
  build.completed = spec.started_ns + static_cast<std::int64_t>(spec.seconds * 1e9);
  if (spec.status == "failed") build.error = "RUN make: exit code: 2";
  std::vector<history::StepRecord> steps;
  std::int64_t at = spec.started_ns;
  for (const auto& item : spec.steps) {
    history::StepRecord step;
    step.number = static_cast<int>(steps.size()) + 1;
    step.digest = "sha256:" + std::string(63, 'a') + std::to_string(step.number % 10);
    step.name = item.name;
    std::tie(step.stage, step.position) = history::stage_and_position(item.name);
    step.state = item.state;
    step.started = at;
    step.completed = at + static_cast<std::int64_t>(item.seconds * 1e9);
    at = step.completed;
    if (!item.name.starts_with("exporting to")) {  // the engine's own steps have no cache key
      step.cache_key = "sha256:" + std::string(64, 'c');
      step.key_inputs = R"({"op":{"exec":{"args":["make"]}}})";
    }
    step.log = item.log;
    step.log_bytes = static_cast<std::int64_t>(item.log.size());
    if (item.state == "failed") step.exit_code = 2;
    if (item.state == "cached") ++build.cached_steps;
    steps.push_back(std::move(step));
  }
  build.total_steps = static_cast<int>(steps.size());
  std::vector<history::OutputRecord> outputs;
  if (!spec.digest.empty())
    outputs.push_back(
        {"image", R"({"name":"app:dev"})", spec.digest, "sha256:" + std::string(64, 'f'), "app:dev", false});
  auto finished = (*store)->finish(build, steps, outputs);
  INFO(finished.to_string());
  REQUIRE(finished);
}

void HistoryFixture::add_sample_builds() {
  const std::int64_t hour = 3600LL * 1000000000LL;
  const std::int64_t now = now_ns_for_test();
  add({"aaaaaaaaaaaaaaaaaaaaaaaa1",
       "completed",
       now - 3 * hour,
       30,
       {{"[internal] load metadata for docker.io/library/busybox:latest", "done", 0.5, ""},
        {"[build 1/3] FROM docker.io/library/busybox:latest", "done", 1, ""},
        {"[build 2/3] COPY . /src", "done", 2, ""},
        {"[build 3/3] RUN make", "done", 20, "compiling main.c\nlinking app\n"}},
       "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"});
  add({"bbbbbbbbbbbbbbbbbbbbbbbb2",
       "completed",
       now - 2 * hour,
       2,
       {{"[internal] load metadata for docker.io/library/busybox:latest", "done", 0.5, ""},
        {"[build 1/3] FROM docker.io/library/busybox:latest", "cached", 0, ""},
        {"[build 2/3] COPY . /src", "cached", 0, ""},
        {"[build 3/3] RUN make", "cached", 0, ""}},
       "sha256:" + std::string(64, 'e')});
  add({"cccccccccccccccccccccccc3",
       "failed",
       now - hour,
       5,
       {{"[internal] load metadata for docker.io/library/busybox:latest", "done", 0.5, ""},
        {"[build 1/3] FROM docker.io/library/busybox:latest", "cached", 0, ""},
        {"[build 2/3] COPY . /src", "done", 1, ""},
        {"[build 3/3] RUN make", "failed", 3, "compiling main.c\nmain.c:3: error: expected ';'\n"}},
       ""});
}

std::string HistoryFixture::bytes() const {
  std::ifstream in(file(), std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::map<std::string, std::int64_t> HistoryFixture::row_counts() const {
  auto database = db::Database::open(file(), db::Mode::ReadOnly);
  REQUIRE(database);
  std::map<std::string, std::int64_t> counts;
  for (const char* table : {"history_builds", "history_steps", "history_outputs", "sqlite_master"}) {
    auto count = db::query_int64(**database, "counting rows", std::string("SELECT count(*) FROM ") + table);
    REQUIRE(count);
    counts[table] = count->value_or(-1);
  }
  auto version = (*database)->user_version();
  REQUIRE(version);
  counts["user_version"] = *version;
  return counts;
}

std::vector<std::string> HistoryFixture::files() const {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(root())) {
    const auto name = entry.path().filename().string();
    if (!name.ends_with("-shm") && !name.ends_with("-wal")) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace dbuild::test
