// plan_test.cpp: op digests and cache keys are stable, content-addressed and input-sensitive.
#include <catch2/catch.hpp>

#include "solver/plan.hpp"
#include "support/fake_worker.hpp"

namespace sdk = dbuild::sdk;

TEST_CASE("op digests are the sha256 of canonical JSON and chain through inputs", "[solver][plan]") {
  sdk::Definition definition;
  auto base = definition.add(sdk::SourceOp{.kind = sdk::SourceKind::Image, .identifier = "busybox"});
  definition.add(sdk::ExecOp{.root = base, .args = {"true"}});
  auto digests = dbuild::solver::op_digests(definition);
  REQUIRE(digests.size() == 2);
  CHECK(digests[0].starts_with("sha256:"));
  CHECK(digests[0] != digests[1]);

  sdk::Definition other_base;
  auto alpine = other_base.add(sdk::SourceOp{.kind = sdk::SourceKind::Image, .identifier = "alpine"});
  other_base.add(sdk::ExecOp{.root = alpine, .args = {"true"}});
  CHECK(dbuild::solver::op_digests(other_base)[1] != digests[1]);
  CHECK(dbuild::solver::op_digests(definition) == digests);
}

TEST_CASE("a plan marks only what the output reaches as needed", "[solver][plan]") {
  dbuild::test::FakeWorker worker;
  sdk::Definition definition;
  auto base = definition.add(sdk::SourceOp{.kind = sdk::SourceKind::Image, .identifier = "busybox"});
  definition.add(sdk::ExecOp{.root = base, .args = {"unused"}});
  definition.output = definition.add(sdk::ExecOp{.root = base, .args = {"used"}});
  auto plan = dbuild::solver::make_plan(definition, worker, false);
  REQUIRE(plan);
  CHECK(plan->needed == std::vector<bool>{true, false, true});
  CHECK_FALSE(plan->cache_keys[2].empty());
  CHECK(plan->cache_keys[1].empty());
}
