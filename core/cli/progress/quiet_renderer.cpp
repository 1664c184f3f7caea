// quiet_renderer.cpp: feeds the log tail and shows nothing.
#include "cli/progress/quiet_renderer.hpp"

namespace dbuild::progress {

void QuietRenderer::emit(const sdk::ProgressEvent& event) noexcept {
  try {
    std::lock_guard lock(mutex_);
    tail_.track(event, clock_.now_ns(), [](std::int64_t, std::string_view) {});
  } catch (...) {
    // Out of memory: this event's lines are not kept.
  }
}

}  // namespace dbuild::progress
