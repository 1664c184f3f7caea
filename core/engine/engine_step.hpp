// engine_step.hpp: a step of a build that is the engine's own (loading metadata, exporting,
// naming), shown like any other: started, statuses, completed or failed. Also a progress sink
// that stamps plugin events (exporters) with the step they belong to.
#pragma once

#include <cstdint>
#include <string>

#include <dbuild/sdk/progress.hpp>

namespace dbuild::engine {

class EngineStep {
 public:
  EngineStep(sdk::ProgressSink& progress, std::string name);
  EngineStep(const EngineStep&) = delete;
  EngineStep& operator=(const EngineStep&) = delete;

  void status(const std::string& id, std::int64_t current = 0, std::int64_t total = 0);
  /// A warning shown with this step (and among the build's warnings).
  void warn(std::string message);
  /// Reports the step's end and returns `status`.
  sdk::Status finish(sdk::Status status);
  /// Gives `event` this step's vertex and name, unless it has a vertex, and emits it.
  void forward(sdk::ProgressEvent event);

 private:
  sdk::ProgressEvent make(sdk::ProgressType type) const;

  sdk::ProgressSink& progress_;
  std::string name_;
  std::string digest_;
};

}  // namespace dbuild::engine
