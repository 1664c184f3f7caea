// signals.hpp: Ctrl-C and SIGTERM turned into a stop request for the running build. The first
// signal asks the build to stop (containers killed, mounts removed, history written); a second
// one exits at once, leaving the clean-up to the next dbuild run.
#pragma once

#include <stop_token>

namespace dbuild::cli {

/// While alive, SIGINT and SIGTERM request stop on `source` instead of killing the process.
class StopOnSignal {
 public:
  explicit StopOnSignal(std::stop_source& source);
  ~StopOnSignal();
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

  /// The signal that requested stop, or 0.
  [[nodiscard]] int signal() const;
};

}  // namespace dbuild::cli
