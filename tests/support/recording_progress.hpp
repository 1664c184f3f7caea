// recording_progress.hpp: a ProgressSink that keeps every event, for tests that check what a
// build reported and in which order.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include <dbuild/sdk/progress.hpp>

namespace dbuild::test {

class RecordingProgress final : public sdk::ProgressSink {
 public:
  void emit(const sdk::ProgressEvent& event) override {
    std::lock_guard lock(mutex_);
    events_.push_back(event);
  }
  std::vector<sdk::ProgressEvent> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  /// "type name" for each event of the given types, e.g. "cached [1/2] FROM x".
  std::vector<std::string> summary(std::vector<sdk::ProgressType> types) const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& event : events_)
      for (auto type : types)
        if (event.type == type) out.push_back(std::string(sdk::progress_type_name(type)) + " " + event.name);
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<sdk::ProgressEvent> events_;
};

}  // namespace dbuild::test
