// worker.cpp: progress helpers for running ops.
#include "solver/worker.hpp"

#include <chrono>
#include "dbuild/sdk/time.hpp"

namespace dbuild::solver {
void VertexContext::log(int stream, std::string_view data) const {
  sdk::ProgressEvent event;
  event.type = sdk::ProgressType::Log;
  event.vertex = digest;
  event.name = name;
  event.timestamp_ns = sdk::now_ns();
  event.stream = stream;
  event.data = std::string(data);
  progress.emit(event);
}

void VertexContext::status(const std::string& id, std::int64_t current, std::int64_t total) const {
  sdk::ProgressEvent event;
  event.type = sdk::ProgressType::Status;
  event.vertex = digest;
  event.name = name;
  event.timestamp_ns = sdk::now_ns();
  event.id = id;
  event.current = current;
  event.total = total;
  progress.emit(event);
}

}  // namespace dbuild::solver
