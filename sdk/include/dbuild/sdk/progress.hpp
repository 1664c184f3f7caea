// progress.hpp: what a build reports while it runs. The engine emits events; the CLI's
// renderers (tty, plain, rawjson), the history recorder and remote clients consume them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {

enum class ProgressType : std::uint8_t {
  Started,    // a step began running (inputs lists the steps it waits on)
  Cached,     // a step's result came from the cache; nothing ran
  Log,        // output of a running step: `data` holds whole lines, `stream` says which
  Completed,  // a step finished successfully
  Failed,     // a step failed: `data` is the error message
  Cancelled,  // a step was stopped (Ctrl-C, or a sibling step failed)
  Status,     // a sub-task of a step advanced: `id` names it, `current`/`total` count bytes or items
  Warning,    // a warning about the build (vertex may be empty): `data` is the message
};

/// "started", "cached", "log", "completed", "failed", "cancelled", "status", "warning".
[[nodiscard]] const char* progress_type_name(ProgressType type) noexcept;

struct ProgressEvent {
  ProgressType type = ProgressType::Log;
  std::string vertex{};               // the step's op digest ("sha256:..."); empty for build-level events
  std::string name{};                 // the step as users see it: "[build 2/4] RUN make"
  std::int64_t timestamp_ns = 0;    // wall clock, nanoseconds since the Unix epoch
  int stream = 0;                   // Log: 1 stdout, 2 stderr
  std::string data{};                 // Log: output bytes; Failed/Warning: the message
  std::string id{};                   // Status: the sub-task ("sha256:ab12… layer", "copying files")
  std::int64_t current = 0;         // Status: done so far
  std::int64_t total = 0;           // Status: 0 when unknown
  std::vector<std::string> inputs{};  // Started: vertex digests this step depends on
  std::optional<SourceLocation> location{};  // where the step comes from in the user's file
};

/// Receives progress events. Implementations must be thread-safe: steps run in parallel and
/// emit from their own threads. emit() must not block for long; it is on the build's path.
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void emit(const ProgressEvent& event) = 0;
};

/// Drops everything (for callers that do not care).
class NullProgressSink final : public ProgressSink {
 public:
  void emit(const ProgressEvent&) override {}
};

}  // namespace dbuild::sdk
