// rawjson_renderer.hpp: `--progress=rawjson`: one JSON object per event per line, for programs
// (the fields are listed in rawjson_renderer.cpp's event_json()).
#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "cli/progress/clock.hpp"
#include "cli/progress/renderer.hpp"
#include "cli/progress/ticker.hpp"

namespace dbuild::progress {

struct RawJsonOptions {
  /// How often the background thread writes. Zero: no thread, each line is written by emit().
  std::chrono::milliseconds write_interval{100};
};

/// Each line is an object with "type" (progress_type_name), "vertex", "name" and "timestamp"
/// (RFC 3339, UTC, nanoseconds), then the fields the event sets: "stream" and "data" for logs,
/// "data" for failures and warnings ("data_encoding": "base64" when the bytes are not UTF-8),
/// "id", "current" and "total" for sub-tasks, "inputs", and "location" {"file", "line"}.
class RawJsonRenderer final : public Renderer {
 public:
  RawJsonRenderer(std::ostream& out, Clock& clock, RawJsonOptions options = {});
  ~RawJsonRenderer() override;

  void emit(const sdk::ProgressEvent& event) noexcept override;
  void finish() noexcept override;

 private:
  void tick() noexcept;

  std::ostream& out_;
  Clock& clock_;
  bool threaded_ = false;  // set once by the constructor: whether the ticker writes
  std::string text_;       // guarded by mutex_: lines not yet written
  bool finished_ = false;  // guarded by mutex_
  std::string writing_;    // only the writing thread (the ticker, then finish) touches it
  Ticker ticker_;
};

/// The JSON line (without its newline) for one event. Exposed for tests.
[[nodiscard]] std::string event_json_line(const sdk::ProgressEvent& event, std::int64_t now_ns);

/// "2024-05-01T12:34:56.123456789Z".
[[nodiscard]] std::string rfc3339_nanos(std::int64_t ns_since_epoch);

}  // namespace dbuild::progress
