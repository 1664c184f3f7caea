// solver_test.cpp: the solver against an in-memory worker and cache: caching by key, running
// only what is needed, once, in parallel, stopping on failure and on request.
#include <algorithm>
#include <cstdint>
#include <thread>

#include <catch2/catch.hpp>

#include "solver/solver.hpp"
#include "support/fake_worker.hpp"
#include "support/recording_progress.hpp"

namespace sdk = dbuild::sdk;
using dbuild::solver::SolveOptions;
using dbuild::solver::Solver;
using dbuild::solver::StepState;
using dbuild::test::FakeWorker;
using dbuild::test::MemoryCacheStore;
using dbuild::test::RecordingProgress;

namespace {

sdk::OpMetadata named(std::string name, int line = 0) {
  sdk::OpMetadata metadata;
  metadata.description = std::move(name);
  if (line) metadata.location = sdk::SourceLocation{"Dockerfile", line, line};
  return metadata;
}

sdk::OpIndex image(sdk::Definition& definition, const std::string& name = "busybox") {
  return definition.add(sdk::SourceOp{.kind = sdk::SourceKind::Image, .identifier = name}, named("FROM " + name, 1));
}

sdk::OpIndex run(sdk::Definition& definition, std::optional<sdk::OpIndex> root, std::string action, std::string name,
                 int line = 0) {
  return definition.add(sdk::ExecOp{.root = root, .args = {std::move(action)}}, named(std::move(name), line));
}

// `count` independent RUN branches on one image, each waiting `sleep_ms`, merged into the output.
// Distinct args: identical ops would be folded into one.
sdk::Definition sleeping_branches(int count, int sleep_ms, const std::string& name = "RUN branch ") {
  sdk::Definition definition;
  auto root = image(definition);
  std::vector<sdk::OpIndex> inputs;
  for (int i = 0; i < count; ++i)
    inputs.push_back(definition.add(
        sdk::ExecOp{.root = root, .args = {"sleep:" + std::to_string(sleep_ms), std::to_string(i)}},
        named(name + std::to_string(i))));
  definition.output = definition.add(sdk::MergeOp{.inputs = inputs}, named("merge"));
  return definition;
}

struct Harness {
  FakeWorker worker;
  MemoryCacheStore cache;
  RecordingProgress progress;
  Solver solver{worker, cache, progress};
};

}  // namespace

TEST_CASE("solver reuses a cached result when an op's digest is unchanged", "[solver][cache]") {
  Harness harness;
  sdk::Definition definition;
  definition.output = run(definition, image(definition), "make", "RUN make");
  auto first = harness.solver.solve(definition, {});
  REQUIRE(first);
  CHECK(harness.worker.ran() == std::vector<std::string>{"FROM busybox", "RUN make"});

  SECTION("a second solve runs nothing and reports every step cached") {
    Harness again;
    again.cache.copy_from(harness.cache);
    auto second = again.solver.solve(definition, {});
    REQUIRE(second);
    CHECK(again.worker.ran().empty());
    CHECK(second->result == first->result);
    CHECK(again.progress.summary({sdk::ProgressType::Cached}) ==
          std::vector<std::string>{"cached FROM busybox", "cached RUN make"});
    for (const auto& step : second->steps) CHECK(step.state == StepState::Cached);
  }
  SECTION("even when only the op's description differs") {
    sdk::Definition renamed;
    renamed.output = run(renamed, image(renamed), "make", "[2/2] RUN make (renamed)");
    auto second = harness.solver.solve(renamed, {});
    REQUIRE(second);
    CHECK(harness.worker.ran().size() == 2);
    CHECK(second->result == first->result);
  }
  SECTION("but not when a field of the op changes") {
    sdk::Definition changed;
    changed.output = run(changed, image(changed), "make install", "RUN make install");
    REQUIRE(harness.solver.solve(changed, {}));
    CHECK(harness.worker.ran().back() == "RUN make install");
  }
  SECTION("nor when the base image's digest changes") {
    harness.worker.image_digests["busybox"] = "sha256:newer";
    REQUIRE(harness.solver.solve(definition, {}));
    CHECK(harness.worker.ran().size() == 4);
  }
  SECTION("nor when the cached snapshot was pruned") {
    harness.worker.pruned.push_back(*first->result.snapshot);
    REQUIRE(harness.solver.solve(definition, {}));
    CHECK(harness.worker.ran().back() == "RUN make");
  }
}

TEST_CASE("solver runs only what the output needs, and identical ops once", "[solver][plan]") {
  Harness harness;
  sdk::Definition definition;
  auto base = image(definition);
  run(definition, base, "unused", "RUN unused");
  auto a = run(definition, base, "same", "RUN same (a)");
  auto b = run(definition, base, "same", "RUN same (b)");
  definition.output = definition.add(sdk::MergeOp{.inputs = {a, b}}, named("merge"));
  auto outcome = harness.solver.solve(definition, {});
  REQUIRE(outcome);
  auto ran = harness.worker.ran();
  CHECK(std::count(ran.begin(), ran.end(), "RUN unused") == 0);
  CHECK(std::count(ran.begin(), ran.end(), "RUN same (a)") == 1);
  CHECK(std::count(ran.begin(), ran.end(), "RUN same (b)") == 0);
  CHECK(ran.size() == 3);
}

TEST_CASE("solver runs independent branches in parallel up to the limit", "[solver][scheduler]") {
  Harness harness;
  const auto distinct = sleeping_branches(4, 200);

  SECTION("with a limit of 2, two run at once and never more") {
    auto outcome = harness.solver.solve(distinct, {.max_parallel = 2});
    REQUIRE(outcome);
    CHECK(harness.worker.max_concurrent() == 2);
  }
  SECTION("with a limit of 4, all four overlap") {
    auto outcome = harness.solver.solve(distinct, {.max_parallel = 4});
    REQUIRE(outcome);
    CHECK(harness.worker.max_concurrent() == 4);
  }
  SECTION("a dependent starts only after all its inputs completed") {
    REQUIRE(harness.solver.solve(distinct, {.max_parallel = 4}));
    auto events = harness.progress.events();
    auto position = [&](sdk::ProgressType type, const std::string& name) {
      for (std::size_t i = 0; i < events.size(); ++i)
        if (events[i].type == type && events[i].name == name) return i;
      FAIL("no " << sdk::progress_type_name(type) << " " << name);
      return std::size_t(0);
    };
    auto merge_started = position(sdk::ProgressType::Started, "merge");
    for (int i = 0; i < 4; ++i)
      CHECK(position(sdk::ProgressType::Completed, "RUN branch " + std::to_string(i)) < merge_started);
  }
}

TEST_CASE("by default, RUN steps that wait overlap beyond the CPU count: other steps stay within it",
          "[solver][scheduler]") {
  Harness harness;
  // More branches than CPUs (W3 of the benchmark: stages that sleep), within the default bound.
  const int branches = static_cast<int>(std::min<std::size_t>(dbuild::solver::kDefaultMaxParallel,
                                                              std::max(1u, std::thread::hardware_concurrency()) + 2));
  SECTION("RUN steps: each one starts before any of them completes") {
    auto outcome = harness.solver.solve(sleeping_branches(branches, 300, "RUN stage "), {});
    REQUIRE(outcome);
    std::int64_t last_start = 0, first_end = INT64_MAX;
    int stages = 0;
    for (const auto& step : outcome->steps) {
      if (step.name.rfind("RUN stage", 0) != 0) continue;
      ++stages;
      last_start = std::max(last_start, step.started_ns);
      first_end = std::min(first_end, step.completed_ns);
    }
    CHECK(stages == branches);
    CHECK(last_start < first_end);
    CHECK(harness.worker.max_concurrent() == branches);
  }
  SECTION("file steps: at most max_parallel_cpu at once, while RUN steps run beside them") {
    sdk::Definition definition;
    auto root = image(definition);
    std::vector<sdk::OpIndex> inputs;
    for (int i = 0; i < 4; ++i) {
      inputs.push_back(definition.add(
          sdk::FileOp{.base = root, .actions = {sdk::MkdirAction{.path = "sleep:100", .mode = 0755u + static_cast<std::uint32_t>(i)}}},
          named("COPY " + std::to_string(i))));
      inputs.push_back(definition.add(sdk::ExecOp{.root = root, .args = {"sleep:100", std::to_string(i)}},
                                      named("RUN " + std::to_string(i))));
    }
    definition.output = definition.add(sdk::MergeOp{.inputs = inputs}, named("merge"));
    REQUIRE(harness.solver.solve(definition, {.max_parallel_cpu = 2}));
    CHECK(harness.worker.max_concurrent_files() == 2);
    CHECK(harness.worker.max_concurrent() == 4);
  }
  SECTION("an explicit max_parallel bounds both kinds") {
    REQUIRE(harness.solver.solve(sleeping_branches(4, 100), {.max_parallel = 1, .max_parallel_cpu = 8}));
    CHECK(harness.worker.max_concurrent() == 1);
  }
}

TEST_CASE("a failing step stops its siblings and names itself and its line", "[solver][failure]") {
  Harness harness;
  sdk::Definition definition;
  auto base = image(definition);
  auto slow = definition.add(sdk::ExecOp{.root = base, .args = {"sleep:5000", "slow"}}, named("RUN slow", 3));
  auto bad = run(definition, base, "fail", "RUN fail", 4);
  auto after = run(definition, bad, "after", "RUN after", 5);
  definition.output = definition.add(sdk::MergeOp{.inputs = {slow, after}}, named("merge"));

  std::vector<dbuild::solver::StepRecord> steps;
  auto started = std::chrono::steady_clock::now();
  auto outcome = harness.solver.solve(definition, {.max_parallel = 4}, &steps);
  REQUIRE_FALSE(outcome);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(4));
  CHECK(outcome.status().to_string() == "RUN fail: process \"fail\" did not complete successfully: exit code: 1");
  REQUIRE(outcome.status().location());
  CHECK(outcome.status().location()->line == 4);

  auto state_of = [&](const std::string& name) {
    for (const auto& step : steps)
      if (step.name == name) return step.state;
    FAIL("no step " << name);
    return StepState::Done;
  };
  CHECK(state_of("RUN fail") == StepState::Failed);
  CHECK(state_of("RUN slow") == StepState::Cancelled);
  CHECK(state_of("RUN after") == StepState::Skipped);
  CHECK(state_of("FROM busybox") == StepState::Done);
  CHECK(harness.cache.size() == 1);  // only the base image: nothing failed or cancelled is cached
}

TEST_CASE("a stop request cancels the build", "[solver][failure]") {
  Harness harness;
  sdk::Definition definition;
  definition.output = run(definition, image(definition), "sleep:10000", "RUN sleep");
  std::stop_source stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stop.request_stop();
  });
  auto outcome = harness.solver.solve(definition, {.stop = stop.get_token()});
  stopper.join();
  REQUIRE_FALSE(outcome);
  CHECK(outcome.status().code() == sdk::Code::Cancelled);
  CHECK(harness.progress.summary({sdk::ProgressType::Cancelled}) == std::vector<std::string>{"cancelled RUN sleep"});
}

TEST_CASE("no-cache runs everything: ignore_cache also reruns what depends on the op", "[solver][cache]") {
  Harness harness;
  sdk::Definition definition;
  auto base = image(definition);
  auto first = run(definition, base, "one", "RUN one");
  definition.output = run(definition, first, "two", "RUN two");
  REQUIRE(harness.solver.solve(definition, {}));
  REQUIRE(harness.worker.ran().size() == 3);

  SECTION("no_cache") {
    REQUIRE(harness.solver.solve(definition, {.no_cache = true}));
    CHECK(harness.worker.ran().size() == 6);
  }
  SECTION("ignore_cache on one op") {
    sdk::Definition filtered;
    auto base2 = image(filtered);
    auto metadata = named("RUN one");
    metadata.ignore_cache = true;
    auto first2 = filtered.add(sdk::ExecOp{.root = base2, .args = {"one"}}, metadata);
    filtered.output = run(filtered, first2, "two", "RUN two");
    REQUIRE(harness.solver.solve(filtered, {}));
    auto ran = harness.worker.ran();
    CHECK(std::vector<std::string>(ran.begin() + 3, ran.end()) == std::vector<std::string>{"RUN one", "RUN two"});
  }
}

TEST_CASE("a local source invalidates only the ops whose selected paths changed", "[solver][cache]") {
  Harness harness;
  sdk::Definition definition;
  auto base = image(definition);
  auto context = definition.add(sdk::SourceOp{.kind = sdk::SourceKind::Local, .identifier = "context"},
                                named("[internal] load build context"));
  sdk::FileOp copy_a{.base = base};
  copy_a.actions.push_back(sdk::CopyAction{.source = context, .src = "a.txt", .dest = "/a.txt"});
  auto a = definition.add(copy_a, named("COPY a.txt"));
  sdk::FileOp copy_b{.base = a};
  copy_b.actions.push_back(sdk::CopyAction{.source = context, .src = "b.txt", .dest = "/b.txt"});
  definition.output = definition.add(copy_b, named("COPY b.txt"));
  REQUIRE(harness.solver.solve(definition, {}));
  REQUIRE(harness.worker.ran().size() == 3);

  SECTION("a file outside both sources: nothing reruns") {
    harness.worker.checksums["other.txt"] = "v2";
    REQUIRE(harness.solver.solve(definition, {}));
    CHECK(harness.worker.ran().size() == 3);
  }
  SECTION("the second source: only the second copy reruns") {
    harness.worker.checksums["b.txt"] = "v2";
    REQUIRE(harness.solver.solve(definition, {}));
    CHECK(harness.worker.ran().size() == 4);
    CHECK(harness.worker.ran().back() == "COPY b.txt");
  }
  SECTION("the first source: both copies rerun") {
    harness.worker.checksums["a.txt"] = "v2";
    REQUIRE(harness.solver.solve(definition, {}));
    CHECK(harness.worker.ran().size() == 5);
  }
}

TEST_CASE("an image that cannot be resolved fails before anything runs", "[solver][failure]") {
  Harness harness;
  sdk::Definition definition;
  definition.output = run(definition, image(definition, "missing"), "x", "RUN x");
  auto outcome = harness.solver.solve(definition, {});
  REQUIRE_FALSE(outcome);
  CHECK(outcome.status().to_string() == "FROM missing: image \"missing\" not found");
  CHECK(harness.worker.ran().empty());
}
