// recorder.hpp: the engine's side of the build history: a ProgressSink placed in front of the
// build's own, which passes every event on and remembers per step its name, times, state and
// whole output (up to a ceiling, counting what it drops), to be stored when the build ends.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <dbuild/sdk/progress.hpp>

#include "history/history_store.hpp"

namespace dbuild::history {

/// The default ceiling on one step's stored output.
inline constexpr std::int64_t kDefaultLogCeiling = 64LL << 20;

/// What the solver knew of a step that progress events do not say.
struct SolvedStep {
  std::string digest;
  std::string name;
  std::string state;  // done, cached, failed, cancelled, skipped
  std::string cache_key;
  std::string key_inputs;
  std::string error;
  std::string source_file;
  int source_line = 0;
};

class Recorder final : public sdk::ProgressSink {
 public:
  /// `secrets`: values that stored logs must not hold (a RUN that prints a secret); each is
  /// replaced by "****" in what steps() returns. What the build shows as it runs is not changed.
  Recorder(sdk::ProgressSink& downstream, std::int64_t log_ceiling = kDefaultLogCeiling,
           std::vector<std::string> secrets = {})
      : downstream_(downstream), log_ceiling_(log_ceiling), secrets_(std::move(secrets)) {}

  void emit(const sdk::ProgressEvent& event) override;

  /// The steps in the order they first reported, numbered from 1 as --progress=plain numbers
  /// them, completed with what the solver knew. Solver steps that never reported come last as
  /// skipped when the build `failed` (an earlier step's failure stopped them); in a build that
  /// succeeded they were not needed (a later step was cached) and are left out, as progress does.
  [[nodiscard]] std::vector<StepRecord> steps(const std::vector<SolvedStep>& solved, bool failed) const;

 private:
  struct Step {
    StepRecord record;
    bool finished = false;
  };

  sdk::ProgressSink& downstream_;
  std::int64_t log_ceiling_;
  std::vector<std::string> secrets_;
  mutable std::mutex mutex_;
  std::map<std::string, std::size_t> index_;  // vertex -> steps_
  std::vector<Step> steps_;
};

/// "... did not complete successfully: exit code: 3" -> 3.
[[nodiscard]] std::optional<int> exit_code_of(const std::string& error);

}  // namespace dbuild::history
