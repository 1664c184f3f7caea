// events.hpp: short constructors for the progress events the renderer tests feed, timed in
// milliseconds from the manual clock's origin.
#pragma once

#include <cstdint>
#include <string>

#include <dbuild/sdk/progress.hpp>

#include "manual_clock.hpp"

namespace dbuild::progress::testing {

inline sdk::ProgressEvent event_at(sdk::ProgressType type, std::string vertex, std::int64_t at_ms) {
  sdk::ProgressEvent event;
  event.type = type;
  event.vertex = std::move(vertex);
  event.timestamp_ns = kEpoch + at_ms * kMs;
  return event;
}

inline sdk::ProgressEvent started(std::string vertex, std::string name, std::int64_t at_ms) {
  auto event = event_at(sdk::ProgressType::Started, std::move(vertex), at_ms);
  event.name = std::move(name);
  return event;
}

inline sdk::ProgressEvent output(std::string vertex, std::string data, std::int64_t at_ms, int stream = 1) {
  auto event = event_at(sdk::ProgressType::Log, std::move(vertex), at_ms);
  event.data = std::move(data);
  event.stream = stream;
  return event;
}

inline sdk::ProgressEvent cached(std::string vertex, std::string name, std::int64_t at_ms) {
  auto event = event_at(sdk::ProgressType::Cached, std::move(vertex), at_ms);
  event.name = std::move(name);
  return event;
}

inline sdk::ProgressEvent completed(std::string vertex, std::int64_t at_ms) {
  return event_at(sdk::ProgressType::Completed, std::move(vertex), at_ms);
}

inline sdk::ProgressEvent failed(std::string vertex, std::string message, std::int64_t at_ms) {
  auto event = event_at(sdk::ProgressType::Failed, std::move(vertex), at_ms);
  event.data = std::move(message);
  return event;
}

inline sdk::ProgressEvent cancelled(std::string vertex, std::int64_t at_ms) {
  return event_at(sdk::ProgressType::Cancelled, std::move(vertex), at_ms);
}

inline sdk::ProgressEvent status(std::string vertex, std::string id, std::int64_t current, std::int64_t total,
                                 std::int64_t at_ms) {
  auto event = event_at(sdk::ProgressType::Status, std::move(vertex), at_ms);
  event.id = std::move(id);
  event.current = current;
  event.total = total;
  return event;
}

inline sdk::ProgressEvent warning(std::string vertex, std::string message, int line, std::int64_t at_ms) {
  auto event = event_at(sdk::ProgressType::Warning, std::move(vertex), at_ms);
  event.data = std::move(message);
  if (line > 0) event.location = sdk::SourceLocation{"Dockerfile", line, line};
  return event;
}

}  // namespace dbuild::progress::testing
