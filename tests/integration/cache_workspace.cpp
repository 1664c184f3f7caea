// cache_workspace.cpp: the cache backend test helpers (cache_workspace.hpp).
#include "cache_workspace.hpp"

#include <algorithm>

#include <catch2/catch.hpp>

#include "dockerfile_workspace.hpp"

namespace dbuild::test {

namespace fs = std::filesystem;

const Steps kAllSteps = {"[builder 2/2] RUN echo built > /built.txt",
                         "[stage-1 2/5] COPY --from=builder /built.txt /built.txt",
                         "[stage-1 3/5] RUN echo one > /one.txt",
                         "[stage-1 4/5] COPY a.txt /a.txt",
                         "[stage-1 5/5] RUN cat /a.txt /one.txt > /joined.txt"};
const Steps kAfterChange = {"[stage-1 4/5] COPY a.txt /a.txt", "[stage-1 5/5] RUN cat /a.txt /one.txt > /joined.txt"};

namespace {

// What the built image holds, through --output type=local.
void check_output(const fs::path& out, const std::string& a_text) {
  CHECK(read_file(out / "built.txt") == "built\n");
  CHECK(read_file(out / "one.txt") == "one\n");
  CHECK(read_file(out / "joined.txt") == a_text + "one\n");
}

bool is_dockerfile_step(const std::string& name) { return name.rfind('[', 0) == 0 && name.rfind("[internal]", 0) != 0; }

std::set<std::string> dockerfile_steps(std::set<std::string> names) {
  std::erase_if(names, [](const std::string& name) { return !is_dockerfile_step(name); });
  return names;
}

}  // namespace

CacheWorkspace::CacheWorkspace() { write_dockerfile(workspace.context, kCacheDockerfile); }

fs::path CacheWorkspace::machine(const std::string& name) const { return workspace.dir.path() / ("machine-" + name); }

ProcessResult CacheWorkspace::build(const fs::path& root, std::vector<std::string> args) const {
  std::vector<std::string> argv = {"--root", root.string(), "build", "--progress", "rawjson",
                                   "--build-context", "busybox=oci-layout://" + workspace.base.reference()};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(workspace.context.string());
  return run_dbuild(argv, environment);
}

ProcessResult CacheWorkspace::dbuild(const fs::path& root, std::vector<std::string> args) const {
  args.insert(args.begin(), {"--root", root.string()});
  return run_dbuild(args, environment);
}

std::set<std::string> ran_steps(const std::string& rawjson) { return dockerfile_steps(started_steps(rawjson)); }

std::set<std::string> cached_dockerfile_steps(const std::string& rawjson) {
  return dockerfile_steps(cached_steps(rawjson));
}

std::vector<std::string> warnings_of(const std::string& rawjson) {
  std::vector<std::string> warnings;
  for (const auto& event : events_of(rawjson))
    if (event.value("type", "") == "warning") warnings.push_back(event.value("data", ""));
  return warnings;
}

Steps but_from(Steps steps) {
  std::erase_if(steps, [](const std::string& name) { return name.find("] FROM ") != std::string::npos; });
  return steps;
}

void check_two_machines(CacheWorkspace& space, const std::vector<std::string>& export_args, const std::string& cache_from) {
  auto a = space.machine("a");
  auto exported = space.build(a, export_args);
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  CHECK(but_from(ran_steps(exported.err)) == kAllSteps);
  auto pruned = space.dbuild(a, {"prune", "--all", "--force"});
  INFO(pruned.err);
  REQUIRE(pruned.exit_code == 0);

  auto out = space.path("out-b");
  auto imported = space.build(space.machine("b"), {"--cache-from", cache_from, "--output", "type=local,dest=" + out.string()});
  INFO(imported.err);
  REQUIRE(imported.exit_code == 0);
  CHECK(ran_steps(imported.err).empty());
  CHECK(but_from(cached_dockerfile_steps(imported.err)) == kAllSteps);
  CHECK(any_contains(cached_dockerfile_steps(imported.err), "] FROM "));
  CHECK(warnings_of(imported.err).empty());
  check_output(out, "alpha\n");

  write_file(space.workspace.context / "a.txt", "changed\n");
  auto changed_out = space.path("out-c");
  auto changed = space.build(space.machine("c"), {"--cache-from", cache_from, "--output", "type=local,dest=" + changed_out.string()});
  INFO(changed.err);
  REQUIRE(changed.exit_code == 0);
  CHECK(ran_steps(changed.err) == kAfterChange);
  check_output(changed_out, "changed\n");
}

}  // namespace dbuild::test
