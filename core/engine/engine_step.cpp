// engine_step.cpp: the engine's own steps in the progress stream (see engine_step.hpp).
#include "engine/engine_step.hpp"

#include <chrono>

#include "oci/sha256.hpp"
#include "dbuild/sdk/time.hpp"

namespace dbuild::engine {
EngineStep::EngineStep(sdk::ProgressSink& progress, std::string name)
    : progress_(progress), name_(std::move(name)), digest_(oci::sha256_of("engine-step:" + name_).str()) {
  progress_.emit(make(sdk::ProgressType::Started));
}

void EngineStep::status(const std::string& id, std::int64_t current, std::int64_t total) {
  sdk::ProgressEvent event = make(sdk::ProgressType::Status);
  event.id = id;
  event.current = current;
  event.total = total;
  progress_.emit(event);
}

void EngineStep::warn(std::string message) {
  sdk::ProgressEvent event = make(sdk::ProgressType::Warning);
  event.data = std::move(message);
  progress_.emit(event);
}

sdk::Status EngineStep::finish(sdk::Status status) {
  auto event = make(status ? sdk::ProgressType::Completed : sdk::ProgressType::Failed);
  if (!status) event.data = status.to_string();
  progress_.emit(event);
  return status;
}

void EngineStep::forward(sdk::ProgressEvent event) {
  if (event.vertex.empty() && event.type != sdk::ProgressType::Warning) {
    event.vertex = digest_;
    event.name = name_;
  }
  if (event.timestamp_ns == 0) event.timestamp_ns = sdk::now_ns();
  progress_.emit(event);
}

sdk::ProgressEvent EngineStep::make(sdk::ProgressType type) const {
  sdk::ProgressEvent event;
  event.type = type;
  event.vertex = digest_;
  event.name = name_;
  event.timestamp_ns = sdk::now_ns();
  return event;
}

}  // namespace dbuild::engine
