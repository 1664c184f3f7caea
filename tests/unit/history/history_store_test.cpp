// history_store_test.cpp: history.db through HistoryStore: a build's record round-trips, refs
// resolve as buildx's do (full, prefix, latest, ^N), retention keeps what the policy says,
// search finds log lines and forgets removed builds, interrupted builds are marked.
#include <catch2/catch.hpp>

#include "history/history_store.hpp"
#include "support/temp_dir.hpp"

using dbuild::history::BuildRecord;
using dbuild::history::HistoryStore;
using dbuild::history::StepRecord;

namespace {

BuildRecord make_build(const std::string& ref, std::int64_t started, const std::string& session = "s1") {
  BuildRecord build;
  build.ref = ref;
  build.name = "app";
  build.session = session;
  build.frontend = "dockerfile";
  build.started = started;
  build.build_args = {{"WHO", "you"}};
  build.platforms = {"linux/amd64"};
  return build;
}

StepRecord make_step(int number, const std::string& name, const std::string& log) {
  StepRecord step;
  step.number = number;
  step.digest = "sha256:" + std::to_string(number);
  step.name = name;
  std::tie(step.stage, step.position) = dbuild::history::stage_and_position(name);
  step.state = "done";
  step.started = 100;
  step.completed = 200;
  step.log = log;
  step.log_bytes = static_cast<std::int64_t>(log.size());
  return step;
}

std::unique_ptr<HistoryStore> open_store(const dbuild::test::TempDir& dir) {
  auto store = HistoryStore::open(dir.path());
  INFO(store.status().to_string());
  REQUIRE(store);
  return std::move(*store);
}

void record(HistoryStore& store, BuildRecord build, std::vector<StepRecord> steps = {}) {
  REQUIRE(store.begin(build));
  build.status = "completed";
  build.completed = build.started + 5;
  REQUIRE(store.finish(build, steps, {}));
}

}  // namespace

TEST_CASE("a build's record comes back as it was written", "[history][store]") {
  dbuild::test::TempDir dir;
  auto store = open_store(dir);
  auto build = make_build("aaaabbbbccccddddeeeeffff0", 1000);
  REQUIRE(store->begin(build));
  CHECK(build.id > 0);
  build.status = "failed";
  build.completed = 2000;
  build.error = "boom";
  build.error_file = "Dockerfile";
  build.error_line = 4;
  REQUIRE(store->finish(build, {make_step(1, "[2/3] RUN make", "compiling\nlinking\n")},
                        {{"image", "{}", "sha256:m", "sha256:c", "docker.io/library/app:1", true}}));
  auto found = store->find("aaaab");
  REQUIRE(found);
  CHECK(found->status == "failed");
  CHECK(found->error_line == 4);
  CHECK(found->build_args.at("WHO") == "you");
  CHECK(found->platforms == std::vector<std::string>{"linux/amd64"});
  auto steps = store->steps(found->id, true);
  REQUIRE(steps);
  REQUIRE(steps->size() == 1);
  CHECK((*steps)[0].log == "compiling\nlinking\n");
  CHECK((*steps)[0].position == 2);
  auto outputs = store->outputs(found->id);
  REQUIRE(outputs);
  REQUIRE(outputs->size() == 1);
  CHECK((*outputs)[0].pushed);
}

TEST_CASE("refs resolve by prefix, as the latest, and as ^N", "[history][store]") {
  dbuild::test::TempDir dir;
  auto store = open_store(dir);
  CHECK(store->find("").status().code() == dbuild::sdk::Code::NotFound);
  record(*store, make_build("abc111111111111111111111a", 1));
  record(*store, make_build("abc222222222222222222222b", 2));
  record(*store, make_build("xyz333333333333333333333c", 3));
  CHECK(store->find("")->ref.front() == 'x');
  CHECK(store->find("^0")->ref.front() == 'x');
  CHECK(store->find("^2")->ref == "abc111111111111111111111a");
  CHECK(store->find("^3").status().code() == dbuild::sdk::Code::NotFound);
  CHECK(store->find("^x").status().code() == dbuild::sdk::Code::InvalidArgument);
  CHECK(store->find("abc").status().code() == dbuild::sdk::Code::InvalidArgument);  // two builds start so
  CHECK(store->find("abc2")->ref == "abc222222222222222222222b");
  CHECK(store->find("nope").status().code() == dbuild::sdk::Code::NotFound);
}

TEST_CASE("retention keeps the newest records and those young enough, never running ones", "[history][store]") {
  dbuild::test::TempDir dir;
  auto store = open_store(dir);
  for (int i = 1; i <= 5; ++i) record(*store, make_build("r" + std::to_string(i), i * 1000));
  auto running = make_build("running", 1);
  REQUIRE(store->begin(running));
  auto removed = store->apply_retention({3, 0}, 10000);
  REQUIRE(removed);
  CHECK(*removed == 2);
  auto left = store->list({});
  REQUIRE(left);
  CHECK(left->size() == 4);  // three kept, and the running one
  auto aged = store->apply_retention({0, 3500}, 6000);  // what started before 2500 goes: none left
  REQUIRE(aged);
  CHECK(*aged == 0);
  aged = store->apply_retention({0, 2500}, 6000);
  REQUIRE(aged);
  CHECK(*aged == 1);  // before 3500: r3
}

TEST_CASE("search finds matching log lines and forgets removed builds", "[history][store]") {
  dbuild::test::TempDir dir;
  auto store = open_store(dir);
  record(*store, make_build("one", 1), {make_step(1, "[1/1] RUN a", "warning: disk almost full\nok\n")});
  record(*store, make_build("two", 2), {make_step(1, "[1/1] RUN b", "all good\n")});
  auto found = store->search("\"disk almost\"", 0, 10);
  REQUIRE(found);
  REQUIRE(found->size() == 1);
  CHECK((*found)[0].ref == "one");
  CHECK((*found)[0].line == "warning: disk almost full");
  CHECK(store->search("\"unclosed", 0, 10).status().code() == dbuild::sdk::Code::InvalidArgument);
  auto one = store->find("one");
  REQUIRE(store->remove({one->id}));
  found = store->search("disk", 0, 10);
  REQUIRE(found);
  CHECK(found->empty());
}

TEST_CASE("the running builds of a dead session are marked interrupted", "[history][store]") {
  dbuild::test::TempDir dir;
  auto store = open_store(dir);
  auto dead = make_build("dead", 1, "session-dead");
  auto alive = make_build("alive", 2, "session-alive");
  REQUIRE(store->begin(dead));
  REQUIRE(store->begin(alive));
  auto marked = store->mark_interrupted("session-dead");
  REQUIRE(marked);
  CHECK(*marked == 1);
  CHECK(store->find("dead")->status == "interrupted");
  CHECK(store->find("alive")->status == "running");
}

TEST_CASE("a file that is not a database is refused with the way out", "[history][store]") {
  dbuild::test::TempDir dir;
  {
    std::FILE* file = std::fopen((dir.path() / "history.db").c_str(), "wb");
    std::fputs(std::string(4096, 'x').c_str(), file);
    std::fclose(file);
  }
  auto store = HistoryStore::open(dir.path());
  REQUIRE_FALSE(store);
  CHECK(store.status().code() == dbuild::sdk::Code::FailedPrecondition);
  CHECK(store.status().hint().find("mv ") != std::string::npos);
}
