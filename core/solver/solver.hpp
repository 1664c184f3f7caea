// solver.hpp: runs a Definition. It computes each op's digest and cache key, runs only what the
// output needs and the cache cannot answer, runs independent ops in parallel (up to a limit),
// runs identical ops once, records results in the cache, and reports progress for every step.
#pragma once

#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include <dbuild/sdk/definition.hpp>
#include <dbuild/sdk/progress.hpp>
#include <dbuild/sdk/status.hpp>

#include "solver/cache_store.hpp"
#include "solver/imported_cache.hpp"
#include "solver/worker.hpp"

namespace dbuild::solver {

/// Steps running at once when SolveOptions::max_parallel is 0. RUN steps mostly wait (on a
/// sleep, the network, a child process), so they are not bounded by the CPU count; BuildKit
/// bounds them by nothing at all by default.
inline constexpr std::size_t kDefaultMaxParallel = 16;

struct SolveOptions {
  bool no_cache = false;           // run every op (--no-cache)
  std::size_t max_parallel = 0;    // steps running at once (--max-parallelism); 0: kDefaultMaxParallel
  std::size_t max_parallel_cpu = 0;  // of those, steps other than RUN (copies, unpacking: CPU and disk
                                     // work in this process); 0: one per CPU. Never above max_parallel.
  std::stop_token stop;            // Ctrl-C: running ops are killed, nothing new starts
  ImportedCache* imported = nullptr;  // --cache-from records, asked when the local cache misses
  /// Leave the output unrealized when an imported record answers it: the caller needs no files
  /// of it (an image pushed from the import's layers), only its key (SolveOutcome::imported_output).
  bool lazy_output = false;
};

enum class StepState { Done, Cached, Failed, Cancelled, Skipped };

/// "done", "cached", "failed", "cancelled", "skipped".
[[nodiscard]] const char* step_state_name(StepState state) noexcept;

/// What happened to one step, for history and the final report.
struct StepRecord {
  std::string digest;
  std::string name;
  std::string cache_key;
  StepState state = StepState::Skipped;
  std::int64_t started_ns = 0;
  std::int64_t completed_ns = 0;
  std::string error;
  std::optional<sdk::SourceLocation> location;
  std::string key_inputs;  // JSON: what the cache key was made of (Plan::key_inputs)
};

/// One step as a cache export sees it (local sources are not steps of the cache).
struct CacheEntry {
  std::string key;
  std::vector<std::string> input_keys;  // the keys its own key was made of, in input order
  /// Its result on this machine: it ran, or came from the local cache or a realized import.
  /// None for a step answered by an imported record that nothing needed locally.
  std::optional<VertexResult> result;
  bool in_result_chain = false;  // its result is one of the output's layer stacks (mode=min)
};

struct SolveOutcome {
  VertexResult result;            // the output op's result; empty when imported_output is set
  /// With SolveOptions::lazy_output, the output's cache key when an imported record answered it
  /// and it was not made local: `result` is then no snapshot, the import holds its layers.
  std::optional<std::string> imported_output;
  std::vector<StepRecord> steps;  // one per distinct op the output depends on, in op order
  std::vector<CacheEntry> cache_entries;  // the same steps, for cache export
};

/// Per solve: the op's digest and key, computed before anything runs.
struct VertexKeys {
  std::string digest;
  std::string cache_key;
};

class Solver {
 public:
  Solver(Worker& worker, CacheStore& cache, sdk::ProgressSink& progress)
      : worker_(worker), cache_(cache), progress_(progress) {}

  /// Builds `definition.output`. On failure the Status names the step ("[2/3] RUN make: ...")
  /// and carries its source location; `steps` (when given) is filled either way.
  /// Errors: whatever the failing op returned; cancelled when `options.stop` fired.
  [[nodiscard]] sdk::Result<SolveOutcome> solve(const sdk::Definition& definition, const SolveOptions& options,
                                                std::vector<StepRecord>* steps = nullptr);

 private:
  Worker& worker_;
  CacheStore& cache_;
  sdk::ProgressSink& progress_;
};

}  // namespace dbuild::solver
