// history_test.cpp: the build history as users meet it, through the real binary: a series of
// builds (ok, cached, failed, cancelled with SIGINT, killed with SIGKILL) and what `dbuild
// history ls|inspect|logs|why|search|rm` then say; two builds at once; a damaged history.db.
#include <signal.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <thread>

#include "history_workspace.hpp"
#include "support/skip.hpp"

namespace fs = std::filesystem;
using dbuild::test::build;
using dbuild::test::build_dockerfile;
using dbuild::test::history_json;
using dbuild::test::ProcessResult;
using dbuild::test::Workspace;
using dbuild::test::write_dockerfile;
using dbuild::test::write_file;
using nlohmann::json;

namespace {

std::vector<std::string> statuses(const json& builds) {
  std::vector<std::string> out;
  for (const auto& build : builds) out.push_back(build["status"].get<std::string>());
  return out;
}

const json* step_named(const json& steps, const std::string& text) {
  for (const auto& step : steps)
    if (step["name"].get<std::string>().find(text) != std::string::npos) return &step;
  return nullptr;
}

// A build that runs until it is stopped, started in the background.
std::unique_ptr<dbuild::test::BackgroundProcess> start_slow_build(Workspace& workspace) {
  write_dockerfile(workspace.context, "FROM busybox\nRUN echo slow-step-started && sleep 30\n");
  std::vector<std::string> argv = {dbuild::test::dbuild_binary().string(), "--root", workspace.root.string(),
                                   "build", "--progress", "plain", "--build-context",
                                   "busybox=oci-layout://" + workspace.base.reference(), workspace.context.string()};
  auto process = std::make_unique<dbuild::test::BackgroundProcess>(argv);
  REQUIRE(process->wait_for_output("slow-step-started", 60));
  return process;
}

}  // namespace

TEST_CASE("the history records ok, cached, failed, cancelled and killed builds as what they were",
          "[integration][history]") {
  Workspace workspace;
  write_dockerfile(workspace.context, "FROM busybox\nCOPY a.txt /a.txt\nRUN echo built-it && cat /a.txt\n");
  REQUIRE(build(workspace, {}).exit_code == 0);
  REQUIRE(build(workspace, {}).exit_code == 0);  // all cached
  write_dockerfile(workspace.context,
                   "FROM busybox\nRUN echo about-to-fail && exit 7\nRUN echo never-runs\n");
  REQUIRE(build(workspace, {}).exit_code == 1);
  {
    auto cancelled = start_slow_build(workspace);
    cancelled->send_signal(SIGINT);
    CHECK(cancelled->wait().exit_code == 130);
  }
  {
    auto killed = start_slow_build(workspace);
    killed->send_signal(SIGKILL);
    (void)killed->wait();
  }

  auto builds = history_json(workspace, {"ls"});
  REQUIRE(builds.size() == 5);
  CHECK(statuses(builds) == std::vector<std::string>{"interrupted", "cancelled", "failed", "completed", "completed"});

  // The cached rebuild: every build step came from the cache.
  auto cached = history_json(workspace, {"inspect", builds[3]["ref"]});
  const auto* run_step = step_named(cached["steps"], "RUN echo built-it");
  REQUIRE(run_step);
  CHECK((*run_step)["state"] == "cached");
  CHECK(cached["cached_steps"].get<int>() >= 3);

  // The failed build: the failing step has its exit code and output, the next one is skipped
  // (never shown as cached), and the error points at the Dockerfile line.
  auto failed = history_json(workspace, {"inspect", builds[2]["ref"]});
  const auto* failing = step_named(failed["steps"], "exit 7");
  REQUIRE(failing);
  CHECK((*failing)["state"] == "failed");
  CHECK((*failing)["exit_code"] == 7);
  const auto* after = step_named(failed["steps"], "never-runs");
  REQUIRE(after);
  CHECK((*after)["state"] == "skipped");
  CHECK(failed["error"]["line"] == 2);
  auto logs = workspace.dbuild({"history", "logs", builds[2]["ref"].get<std::string>()});
  CHECK_THAT(logs.out, Catch::Contains("about-to-fail") && Catch::Contains("ERROR:"));
  auto text = workspace.dbuild({"history", "inspect", builds[2]["ref"].get<std::string>()});
  CHECK_THAT(text.out, Catch::Contains(">>> RUN echo about-to-fail && exit 7"));

  // The cancelled build's running step was cancelled; the killed one is marked interrupted.
  auto cancelled = history_json(workspace, {"inspect", "^1"});
  const auto* slow = step_named(cancelled["steps"], "sleep 30");
  REQUIRE(slow);
  CHECK((*slow)["state"] == "cancelled");
  auto interrupted = history_json(workspace, {"inspect"});
  CHECK(interrupted["status"] == "interrupted");

  // Filters and refs.
  CHECK(history_json(workspace, {"ls", "--filter", "status=failed"}).size() == 1);
  CHECK(history_json(workspace, {"ls", "--filter", "since=1h", "--limit", "2"}).size() == 2);
  auto prefix = history_json(workspace, {"inspect", builds[4]["ref"].get<std::string>().substr(0, 6)});
  CHECK(prefix["ref"] == builds[4]["ref"]);
  auto bad_filter = workspace.dbuild({"history", "ls", "--filter", "colour=blue"});
  CHECK(bad_filter.exit_code == 2);
  auto no_such = workspace.dbuild({"history", "inspect", "zzzzzzzz"});
  CHECK(no_such.exit_code == 1);
  CHECK_THAT(no_such.err, Catch::Contains("no build zzzzzzzz"));

  // Search finds the failing step's output; rm forgets a build.
  auto found = workspace.dbuild({"history", "search", "about-to-fail"});
  CHECK(found.exit_code == 0);
  CHECK_THAT(found.out, Catch::Contains(builds[2]["ref"].get<std::string>()));
  auto removed = workspace.dbuild({"history", "rm", builds[2]["ref"].get<std::string>()});
  CHECK(removed.exit_code == 0);
  CHECK(history_json(workspace, {"ls"}).size() == 4);
  CHECK(workspace.dbuild({"history", "search", "about-to-fail"}).exit_code == 1);
}

TEST_CASE("history why names the changed file and the changed build arg", "[integration][history]") {
  Workspace workspace;
  write_dockerfile(workspace.context,
                   "FROM busybox\nARG FLAVOUR=plain\nCOPY a.txt sub/ /src/\nRUN echo $FLAVOUR > /flavour\n");
  REQUIRE(build(workspace, {}).exit_code == 0);
  write_file(workspace.context / "sub/c.txt", "changed\n");
  REQUIRE(build(workspace, {}).exit_code == 0);
  auto why_file = workspace.dbuild({"history", "why"});
  INFO(why_file.out << why_file.err);
  CHECK(why_file.exit_code == 0);
  CHECK_THAT(why_file.out, Catch::Contains("file changed: sub/c.txt"));
  CHECK_THAT(why_file.out, Catch::Contains("its input #") && Catch::Contains("COPY a.txt sub/ /src/ changed"));

  REQUIRE(build(workspace, {"--build-arg", "FLAVOUR=spicy"}).exit_code == 0);
  auto why_arg = workspace.dbuild({"history", "why", "", "RUN"});
  INFO(why_arg.out << why_arg.err);
  CHECK_THAT(why_arg.out, Catch::Contains("build arg FLAVOUR changed: \"plain\" -> \"spicy\""));
  CHECK(why_arg.out.find("COPY") == std::string::npos);  // the COPY came from the cache this time
}

TEST_CASE("two builds at once both land complete records", "[integration][history]") {
  Workspace workspace;
  fs::create_directories(workspace.dir.path() / "second");
  write_dockerfile(workspace.context, "FROM busybox\nRUN echo first-build && sleep 1\n");
  write_dockerfile(workspace.dir.path() / "second", "FROM busybox\nRUN echo second-build && sleep 1\n");
  ProcessResult first, second;
  std::thread other([&] {
    second = build_dockerfile(workspace, {{(workspace.dir.path() / "second").string()}, "", {}});
  });
  first = build(workspace, {});
  other.join();
  INFO(first.err << second.err);
  REQUIRE(first.exit_code == 0);
  REQUIRE(second.exit_code == 0);
  auto builds = history_json(workspace, {"ls"});
  REQUIRE(builds.size() == 2);
  for (const auto& record : builds) {
    CHECK(record["status"] == "completed");
    CHECK(record["total_steps"].get<int>() >= 2);
  }
  CHECK(workspace.dbuild({"history", "search", "first-build"}).exit_code == 0);
  CHECK(workspace.dbuild({"history", "search", "second-build"}).exit_code == 0);
}

TEST_CASE("a damaged history.db is named with the way out, and builds still run", "[integration][history]") {
  Workspace workspace;
  write_dockerfile(workspace.context, "FROM busybox\nRUN echo still-builds\n");
  REQUIRE(build(workspace, {}).exit_code == 0);
  const auto file = workspace.root / "history.db";
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(fs::path(file.string() + suffix));
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << std::string(8192, 'x');
  }
  write_dockerfile(workspace.context, "FROM busybox\nRUN echo still-builds-again\n");
  auto again = build(workspace, {});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.err, Catch::Contains("the build history is not recorded") && Catch::Contains(file.string()));
  auto listed = workspace.dbuild({"history", "ls"});
  CHECK(listed.exit_code == 1);
  CHECK_THAT(listed.err, Catch::Contains(file.string()) && Catch::Contains("mv " + file.string()));
}

TEST_CASE("a history.db locked by another process costs the build a warning, not its result",
          "[integration][history]") {
  Workspace workspace;
  write_dockerfile(workspace.context, "FROM busybox\nRUN echo first\n");
  REQUIRE(build(workspace, {}).exit_code == 0);
  const auto file = workspace.root / "history.db";
  // Another process holds the write lock for longer than the build takes.
  dbuild::test::BackgroundProcess holder(
      {"python3", "-c",
       "import sqlite3, sys, time\n"
       "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
       "db.execute('BEGIN EXCLUSIVE')\n"
       "print('locked', flush=True)\n"
       "time.sleep(20)\n",
       file.string()});
  REQUIRE(holder.wait_for_output("locked", 10));
  write_dockerfile(workspace.context, "FROM busybox\nRUN echo while-locked\n");
  auto locked = build(workspace, {});
  INFO(locked.err);
  CHECK(locked.exit_code == 0);
  CHECK_THAT(locked.err, Catch::Contains("the build history is not recorded") && Catch::Contains("locked"));
  holder.send_signal(SIGKILL);
  (void)holder.wait();
  auto builds = history_json(workspace, {"ls"});
  REQUIRE(builds.size() == 1);  // the first build only; nothing half-written from the second
  CHECK(builds[0]["status"] == "completed");
}
