// build_history.hpp: one build's record in the build history, from the engine's side: begun
// before the frontend runs (a process killed mid-build leaves it 'running', marked interrupted
// by the next start), fed by the build's progress, completed with the solver's steps and the
// exporters' outputs. Recording never fails a build: what could not be recorded becomes a
// warning of the build.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <dbuild/sdk/engine.hpp>
#include <dbuild/sdk/exporter.hpp>
#include <dbuild/sdk/progress.hpp>

#include "history/history_store.hpp"
#include "history/recorder.hpp"
#include "solver/solver.hpp"

namespace dbuild::engine {

/// How much history to keep, and of each step's output.
struct HistorySettings {
  history::RetentionPolicy retention{200, 30LL * 24 * 3600 * 1000000000LL};
  std::int64_t log_ceiling = history::kDefaultLogCeiling;
};

class BuildHistory {
 public:
  /// `store` may be null (no history: `why_not` says why, once, as a warning of the build).
  BuildHistory(history::HistoryStore* store, const sdk::Status& why_not, const HistorySettings& settings,
               const sdk::SolveRequest& request, const std::string& session, sdk::ProgressSink& progress);

  /// Where the build reports: passes everything on to the caller's sink.
  [[nodiscard]] sdk::ProgressSink& progress() { return recorder_; }
  /// The build's ref ("" when nothing is recorded).
  [[nodiscard]] const std::string& ref() const { return build_.ref; }

  void add_solved(const std::vector<solver::StepRecord>& steps);
  void add_output(const std::string& type, const sdk::Attributes& attributes, const sdk::ExportResponse& response);
  void add_exported_bytes(std::int64_t bytes) { build_.bytes_exported += bytes; }

  /// Completes the record with how the build ended, then applies the retention policy.
  void finish(const sdk::Status& outcome);

 private:
  void warn(const std::string& message);

  history::HistoryStore* store_;
  HistorySettings settings_;
  sdk::ProgressSink& downstream_;
  history::Recorder recorder_;
  history::BuildRecord build_;
  bool begun_ = false;
  std::vector<history::SolvedStep> solved_;
  std::vector<history::OutputRecord> outputs_;
};

}  // namespace dbuild::engine
