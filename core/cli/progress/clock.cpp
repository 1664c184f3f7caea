// clock.cpp: the system clock, in the nanoseconds-since-epoch scale of progress events.
#include "cli/progress/clock.hpp"

#include <chrono>

namespace dbuild::progress {

std::int64_t SystemClock::now_ns() const noexcept {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch).count();
}

}  // namespace dbuild::progress
