// progress.cpp: names of progress event types, as rawjson output and history spell them.
#include <dbuild/sdk/progress.hpp>

namespace dbuild::sdk {

const char* progress_type_name(ProgressType type) noexcept {
  switch (type) {
    case ProgressType::Started: return "started";
    case ProgressType::Cached: return "cached";
    case ProgressType::Log: return "log";
    case ProgressType::Completed: return "completed";
    case ProgressType::Failed: return "failed";
    case ProgressType::Cancelled: return "cancelled";
    case ProgressType::Status: return "status";
    case ProgressType::Warning: return "warning";
  }
  return "unknown";
}

}  // namespace dbuild::sdk
