// worker.cpp: progress helpers for running ops.
#include "solver/worker.hpp"

#include <chrono>

namespace dbuild::solver {
namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void VertexContext::log(int stream, std::string_view data) const {
  sdk::ProgressEvent event;
  event.type = sdk::ProgressType::Log;
  event.vertex = digest;
  event.name = name;
  event.timestamp_ns = now_ns();
  event.stream = stream;
  event.data = std::string(data);
  progress.emit(event);
}

void VertexContext::status(const std::string& id, std::int64_t current, std::int64_t total) const {
  sdk::ProgressEvent event;
  event.type = sdk::ProgressType::Status;
  event.vertex = digest;
  event.name = name;
  event.timestamp_ns = now_ns();
  event.id = id;
  event.current = current;
  event.total = total;
  progress.emit(event);
}

}  // namespace dbuild::solver
