// imported_cache_test.cpp: the solver with records imported from elsewhere: what they satisfy
// runs nothing, only results that are needed are made local, a result that cannot be made
// local runs its step instead, and cache entries say what an export needs.
#include <map>
#include <set>

#include <catch2/catch.hpp>

#include "solver/solver.hpp"
#include "support/fake_worker.hpp"
#include "support/recording_progress.hpp"

namespace sdk = dbuild::sdk;
namespace solver = dbuild::solver;
using dbuild::test::FakeWorker;
using dbuild::test::MemoryCacheStore;
using dbuild::test::RecordingProgress;

namespace {

// Records by key: a result (a snapshot id to hand out when realized), or the key alone.
class FakeImportedCache final : public solver::ImportedCache {
 public:
  std::map<std::string, std::optional<std::int64_t>> records;
  std::set<std::string> broken;  // keys whose realization fails (a lost blob)
  std::vector<std::string> realized;

  bool has_result(const std::string& key) override {
    auto found = records.find(key);
    return found != records.end() && found->second.has_value();
  }
  bool knows(const std::string& key) override { return records.count(key) > 0; }
  sdk::Result<solver::VertexResult> realize(const std::string& key, const solver::VertexContext& context) override {
    if (broken.count(key)) return sdk::Status::not_found("blob sha256:lost is missing");
    realized.push_back(context.name);
    return solver::VertexResult{*records.at(key), {}, {}, {}};
  }
};

sdk::OpMetadata named(std::string name) {
  sdk::OpMetadata metadata;
  metadata.description = std::move(name);
  return metadata;
}

// FROM busybox; RUN one; RUN two; RUN three (a chain), each step's key found in a first solve.
struct Chain {
  sdk::Definition definition;
  std::vector<std::string> keys;  // FROM, one, two, three

  Chain() {
    auto base = definition.add(sdk::SourceOp{.kind = sdk::SourceKind::Image, .identifier = "busybox"}, named("FROM"));
    auto one = definition.add(sdk::ExecOp{.root = base, .args = {"one"}}, named("RUN one"));
    auto two = definition.add(sdk::ExecOp{.root = one, .args = {"two"}}, named("RUN two"));
    definition.output = definition.add(sdk::ExecOp{.root = two, .args = {"three"}}, named("RUN three"));
    FakeWorker worker;
    MemoryCacheStore cache;
    RecordingProgress progress;
    auto solved = solver::Solver(worker, cache, progress).solve(definition, {});
    REQUIRE(solved);
    for (const auto& step : solved->steps) keys.push_back(step.cache_key);
  }
};

struct Harness {
  FakeWorker worker;
  MemoryCacheStore cache;
  RecordingProgress progress;
  FakeImportedCache imported;
  solver::Solver solver{worker, cache, progress};

  sdk::Result<solver::SolveOutcome> solve(const sdk::Definition& definition) {
    solver::SolveOptions options;
    options.imported = &imported;
    return solver.solve(definition, options);
  }
};

}  // namespace

TEST_CASE("imported records answer every step and only the output is made local", "[solver][cache][import]") {
  Chain chain;
  Harness harness;
  for (std::size_t i = 0; i < chain.keys.size(); ++i) harness.imported.records[chain.keys[i]] = 100 + i;
  auto solved = harness.solve(chain.definition);
  REQUIRE(solved);
  CHECK(harness.worker.ran().empty());
  CHECK(harness.imported.realized == std::vector<std::string>{"RUN three"});
  CHECK(solved->result.snapshot == 103);
  CHECK(harness.progress.summary({sdk::ProgressType::Cached}) ==
        std::vector<std::string>{"cached FROM", "cached RUN one", "cached RUN two", "cached RUN three"});
  SECTION("and the realized result is recorded in the local cache") {
    CHECK(harness.cache.size() == 1);
  }
  SECTION("and cache entries carry keys, input keys, the realized result and the result chain") {
    REQUIRE(solved->cache_entries.size() == 4);
    CHECK(solved->cache_entries[3].key == chain.keys[3]);
    CHECK(solved->cache_entries[3].input_keys == std::vector<std::string>{chain.keys[2]});
    CHECK(solved->cache_entries[3].result == solver::VertexResult{103, {}, {}, {}});
    CHECK_FALSE(solved->cache_entries[1].result);  // answered by the import, never made local
    for (const auto& entry : solved->cache_entries) CHECK(entry.in_result_chain);
  }
}

TEST_CASE("with lazy_output an imported output stays in the import and its key is given", "[solver][cache][import]") {
  Chain chain;
  Harness harness;
  for (std::size_t i = 0; i < chain.keys.size(); ++i) harness.imported.records[chain.keys[i]] = 100 + i;
  solver::SolveOptions options;
  options.imported = &harness.imported;
  options.lazy_output = true;
  auto solved = harness.solver.solve(chain.definition, options);
  REQUIRE(solved);
  CHECK(harness.worker.ran().empty());
  CHECK(harness.imported.realized.empty());
  CHECK(solved->imported_output == chain.keys[3]);
  CHECK_FALSE(solved->result.snapshot);
  CHECK(harness.cache.size() == 0);
  CHECK(harness.progress.summary({sdk::ProgressType::Cached}).size() == 4);
  SECTION("but an output that runs is local as ever") {
    harness.imported.records.erase(chain.keys[3]);
    auto ran = harness.solver.solve(chain.definition, options);
    REQUIRE(ran);
    CHECK_FALSE(ran->imported_output);
    CHECK(ran->result.snapshot);
    CHECK(harness.imported.realized == std::vector<std::string>{"RUN two"});
  }
}

TEST_CASE("a step that must run gets its imported input made local, nothing below it", "[solver][cache][import]") {
  Chain chain;
  Harness harness;
  harness.imported.records[chain.keys[0]] = 100;
  harness.imported.records[chain.keys[1]] = 101;
  harness.imported.records[chain.keys[2]] = 102;  // RUN three changed: not imported
  auto solved = harness.solve(chain.definition);
  REQUIRE(solved);
  CHECK(harness.worker.ran() == std::vector<std::string>{"RUN three"});
  CHECK(harness.imported.realized == std::vector<std::string>{"RUN two"});
}

TEST_CASE("a key-only record shows its step cached when nothing needs its result", "[solver][cache][import]") {
  Chain chain;
  Harness harness;
  harness.imported.records[chain.keys[0]] = std::nullopt;
  harness.imported.records[chain.keys[1]] = std::nullopt;
  harness.imported.records[chain.keys[2]] = 102;
  harness.imported.records[chain.keys[3]] = std::nullopt;  // no result: RUN three runs
  auto solved = harness.solve(chain.definition);
  REQUIRE(solved);
  CHECK(harness.worker.ran() == std::vector<std::string>{"RUN three"});
  CHECK(harness.progress.summary({sdk::ProgressType::Cached}) ==
        std::vector<std::string>{"cached FROM", "cached RUN one", "cached RUN two"});
}

TEST_CASE("an imported result that cannot be made local runs its step, with a warning", "[solver][cache][import]") {
  Chain chain;
  Harness harness;
  for (std::size_t i = 0; i < chain.keys.size(); ++i) harness.imported.records[chain.keys[i]] = 100 + i;
  harness.imported.broken = {chain.keys[3], chain.keys[2]};
  auto solved = harness.solve(chain.definition);
  REQUIRE(solved);
  CHECK(harness.worker.ran() == std::vector<std::string>{"RUN two", "RUN three"});
  CHECK(harness.imported.realized == std::vector<std::string>{"RUN one"});
  std::vector<std::string> warnings;
  for (const auto& event : harness.progress.events())
    if (event.type == sdk::ProgressType::Warning) warnings.push_back(event.name + ": " + event.data);
  REQUIRE(warnings.size() == 2);
  CHECK_THAT(warnings[0], Catch::StartsWith("RUN three: ") && Catch::Contains("could not be used") &&
                              Catch::Contains("sha256:lost"));
}

TEST_CASE("the local cache is asked before imported records, and no-cache asks neither", "[solver][cache][import]") {
  Chain chain;
  Harness harness;
  for (std::size_t i = 0; i < chain.keys.size(); ++i) harness.imported.records[chain.keys[i]] = 100 + i;
  SECTION("a local record wins") {
    solver::VertexResult local{7, {}, {}, {}};
    REQUIRE(harness.cache.record(chain.keys[3], local));
    auto solved = harness.solve(chain.definition);
    REQUIRE(solved);
    CHECK(solved->result == local);
    CHECK(harness.imported.realized.empty());
  }
  SECTION("no-cache runs everything") {
    solver::SolveOptions options;
    options.imported = &harness.imported;
    options.no_cache = true;
    REQUIRE(harness.solver.solve(chain.definition, options));
    CHECK(harness.worker.ran().size() == 4);
    CHECK(harness.imported.realized.empty());
  }
}

TEST_CASE("cache entries mark the steps whose results the output stacks on", "[solver][cache][export]") {
  sdk::Definition definition;
  auto base = definition.add(sdk::SourceOp{.kind = sdk::SourceKind::Image, .identifier = "busybox"}, named("FROM"));
  auto builder = definition.add(sdk::ExecOp{.root = base, .args = {"build"}}, named("RUN build"));
  sdk::FileOp copy;
  copy.base = base;
  copy.actions.push_back(sdk::CopyAction{.source = builder, .src = "/out", .dest = "/out"});
  definition.output = definition.add(std::move(copy), named("COPY --from=builder"));
  Harness harness;
  auto solved = harness.solve(definition);
  REQUIRE(solved);
  std::map<std::string, bool> chain;
  for (std::size_t i = 0; i < solved->steps.size(); ++i)
    chain[solved->steps[i].name] = solved->cache_entries[i].in_result_chain;
  CHECK(chain == std::map<std::string, bool>{{"FROM", true}, {"RUN build", false}, {"COPY --from=builder", true}});
}
