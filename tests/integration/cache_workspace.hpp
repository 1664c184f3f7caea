// cache_workspace.hpp: what the cache backend tests share: two (or more) state roots standing
// for machines that share nothing but the cache, the same multi-stage Dockerfile built on each,
// and the steps a build ran or found cached, read from its rawjson progress.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "build_workspace.hpp"

namespace dbuild::test {

/// Two stages; the last COPY reads context/a.txt, which the tests change.
inline constexpr const char* kCacheDockerfile =
    "FROM busybox AS builder\n"
    "RUN echo built > /built.txt\n"
    "FROM busybox\n"
    "COPY --from=builder /built.txt /built.txt\n"
    "RUN echo one > /one.txt\n"
    "COPY a.txt /a.txt\n"
    "RUN cat /a.txt /one.txt > /joined.txt\n";

using Environment = std::map<std::string, std::optional<std::string>>;
using Steps = std::set<std::string>;

/// The Dockerfile's steps but FROM (its name holds the base layout's temporary path).
extern const Steps kAllSteps;
/// The steps from the COPY of a.txt on: what runs when a.txt changed.
extern const Steps kAfterChange;

struct CacheWorkspace {
  Workspace workspace;
  Environment environment;  // given to every dbuild this workspace runs

  CacheWorkspace();

  /// A fresh state root: a machine of its own (created by its first build).
  [[nodiscard]] std::filesystem::path machine(const std::string& name) const;
  /// `dbuild --root ROOT build --progress rawjson ARGS CONTEXT`, FROM busybox being the base layout.
  ProcessResult build(const std::filesystem::path& root, std::vector<std::string> args) const;
  /// `dbuild --root ROOT ARGS`.
  ProcessResult dbuild(const std::filesystem::path& root, std::vector<std::string> args) const;
  [[nodiscard]] std::filesystem::path path(const std::string& name) const { return workspace.dir.path() / name; }
};

/// The Dockerfile steps (names starting "[", not "[internal]") that ran, and that were cached.
std::set<std::string> ran_steps(const std::string& rawjson);
std::set<std::string> cached_dockerfile_steps(const std::string& rawjson);
/// The warnings of a build's rawjson progress.
std::vector<std::string> warnings_of(const std::string& rawjson);
/// `steps` without the FROM step.
Steps but_from(Steps steps);

/// The two-machine scenario: builds on machine A with `export_args` (--cache-to ..., and what
/// else the export needs), prunes A, then builds on an empty machine B with `--cache-from
/// cache_from`: nothing runs, every step is cached and the output is right. Then a.txt changes
/// and an empty machine C runs only kAfterChange.
void check_two_machines(CacheWorkspace& space, const std::vector<std::string>& export_args, const std::string& cache_from);

}  // namespace dbuild::test
